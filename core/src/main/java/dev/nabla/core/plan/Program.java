package dev.nabla.core.plan;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.random.Key;

import java.util.List;

/**
 * A compiled graph, independent of any backend: numbered buffer slots, the instructions that fill them
 * in order, and where inputs, parameters, constants, keys and outputs live. Backends turn it into
 * executable steps. Slots are reused once their value is dead, so a slot may hold several values in turn.
 *
 * @param slots         dtype and capacity (elements) of each buffer slot
 * @param constants     slots holding constants, with their values (filled once)
 * @param inputs        slots of the placeholders, in the order {@link dev.nabla.core.Plan} binds them
 * @param parameters    slots bound to parameter storage (the parameter's own array, read and updated in place)
 * @param keys          PRNG key slots, evaluated in order at the start of each run
 * @param instrs        the steps, in order
 * @param outputs       where each requested output ends up
 */
public record Program(List<Slot> slots, List<ConstantSlot> constants, List<InputSlot> inputs,
                      List<ParameterSlot> parameters, List<KeySlot> keys, List<Instr> instrs,
                      List<OutputSlot> outputs) {

    /** The key values before the first run: constant keys filled in, input keys zero until bound. */
    public long[] initialKeys() {
        long[] k = new long[keys.size()];
        for (int i = 0; i < k.length; i++) {
            if (keys.get(i).kind() == KeySlot.Kind.CONSTANT) {
                k[i] = keys.get(i).constant().value();
            }
        }
        return k;
    }

    /** Binds key input {@code index} to {@code key} in {@code values} (one entry per key slot). */
    public void bindKey(long[] values, int index, Key key) {
        for (int i = 0; i < values.length; i++) {
            if (keys.get(i).kind() == KeySlot.Kind.INPUT && keys.get(i).index() == index) {
                values[i] = key.value();
            }
        }
    }

    /** Computes the FOLD key slots from their parents, in order: done at the start of every run. */
    public void foldKeys(long[] values) {
        for (int i = 0; i < values.length; i++) {
            KeySlot s = keys.get(i);
            if (s.kind() == KeySlot.Kind.FOLD) {
                values[i] = Key.fold(values[s.parent()], s.data());
            }
        }
    }

    /** A buffer: its element type and how many elements it holds. */
    public record Slot(DType dtype, int capacity) {
    }

    /** A slot filled once with a constant. */
    public record ConstantSlot(int slot, NdArray value) {
    }

    /** The slot a placeholder is copied into at each run. */
    public record InputSlot(int slot, String name, Shape shape, DType dtype) {
    }

    /** {@code index} is the parameter's position in the plan's parameter list. */
    public record ParameterSlot(int slot, int index) {
    }

    /**
     * A key computed at run start: {@code kind} INPUT (bound by the caller, {@code index} is its position),
     * CONSTANT ({@code constant}) or FOLD ({@code parent} folded with {@code data}).
     */
    public record KeySlot(Kind kind, int index, Key constant, int parent, long data) {
        /** Where a key comes from. */
        public enum Kind {
            /** Bound by the caller at each run. */
            INPUT,
            /** Fixed when the plan was built. */
            CONSTANT,
            /** Another key slot folded with a constant. */
            FOLD
        }
    }

    /** Where an output is read, with the shape it is read as. */
    public record OutputSlot(int slot, Shape shape, DType dtype) {
    }
}
