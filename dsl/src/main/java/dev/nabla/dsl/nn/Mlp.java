package dev.nabla.dsl.nn;

import dev.nabla.core.DType;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.ScoreFunction;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A multilayer perceptron, usable as a time-conditioned score model and as a plain regressor.
 *
 * <p>{@link #forward}: with layers {@code L_k(h) = h W_k + b_k} ({@link Linear}) and activation {@code a},
 * <pre>  f(x) = L_n(a(L_{n−1}(… a(L_0(x)) …)))</pre>
 * (no activation after the last layer). {@link #apply}: the score of rows {@code y} {@code [B, D]} at times
 * {@code t} {@code [B, 1]} is {@code s(y, t) = f([y, φ(τ(t))])}, where {@code τ} is the {@link TimeInput}
 * transform (t, log t, or none) and {@code φ} the optional {@link FourierEmbedding} (identity when absent).
 *
 * <pre>{@code
 * Mlp model = Mlp.builder(2).hidden(128, 128, 128).activation(Activation.SILU)
 *                .timeEmbedding(16).key(Key.of(0)).dtype(DType.F64).build();
 * }</pre>
 *
 * <p>Parameters are named {@code layer0.weight, layer0.bias, layer1.weight, …} (prefixed by
 * {@code prefix + "."} when a {@link Builder#name prefix} is set) and listed in that order. Layer {@code k}
 * is initialised from {@code key.fold(k)}, the embedding from {@code key.fold(1_000_000)}: the same builder
 * settings always give the same model. The Fourier frequencies are a {@link #buffers() buffer} named
 * {@code time_embedding.frequencies}: saved in checkpoints, never trained.
 */
public final class Mlp implements ScoreFunction, Module {
    /** The fold of the model key that draws the Fourier frequencies. */
    static final long EMBEDDING_KEY = 1_000_000;

    private final int dataDim;
    private final int outputDim;
    private final Activation activation;
    private final TimeInput timeInput;
    private final FourierEmbedding embedding;
    private final List<Linear> layers;
    private final List<Tensor> parameters;
    private final DType dtype;

    private Mlp(Builder b, FourierEmbedding embedding, List<Linear> layers) {
        this.dataDim = b.dataDim;
        this.outputDim = b.outputDim > 0 ? b.outputDim : b.dataDim;
        this.activation = b.activation;
        this.timeInput = b.timeInput;
        this.embedding = embedding;
        this.layers = List.copyOf(layers);
        this.dtype = b.dtype;
        List<Tensor> ps = new ArrayList<>();
        for (Linear l : layers) {
            ps.addAll(l.parameters());
        }
        this.parameters = List.copyOf(ps);
    }

    /** A builder for a model on data rows of width {@code dataDim}. */
    public static Builder builder(int dataDim) {
        return new Builder(dataDim);
    }

    /**
     * The score {@code s(y, t) = f([y, φ(τ(t))])}: {@code y} of shape {@code [B, dataDim]}, {@code t} of shape
     * {@code [B, 1]} (a {@code [B]} vector or a scalar is broadcast to it); result {@code [B, outputDim]}.
     */
    @Override
    public Tensor apply(Tensor y, Tensor t) {
        Objects.requireNonNull(y, "Mlp.apply: y");
        if (y.rank() != 2 || y.shape().dim(1) != dataDim) {
            throw new IllegalArgumentException("Mlp.apply: y has shape " + y.shape() + ", expected [B, " + dataDim + "]");
        }
        int batch = y.shape().dim(0);
        Tensor x = y.cast(dtype);
        if (timeInput != TimeInput.NONE) {
            Objects.requireNonNull(t, "Mlp.apply: t");
            Tensor tc = t;
            if (t.rank() == 1 && t.shape().dim(0) == batch) {
                tc = t.reshape(batch, 1);
            } else if (t.size() == 1) {
                tc = t.reshape(1, 1).broadcastTo(Shape.of(batch, 1));
            } else if (t.rank() != 2 || t.shape().dim(0) != batch || t.shape().dim(1) != 1) {
                throw new IllegalArgumentException("Mlp.apply: t has shape " + t.shape() + ", expected [" + batch
                        + ", 1] (one time per row of y " + y.shape() + ")");
            }
            Tensor feature = timeInput.transform(tc.cast(dtype));
            if (embedding != null) {
                feature = embedding.apply(feature);
            }
            x = Tensor.concat(-1, x, feature);
        }
        return forward(x);
    }

    /** {@code f(input)} for {@code input} of shape {@code [..., inputDim()]}: result {@code [..., outputDim()]}. */
    public Tensor forward(Tensor input) {
        Objects.requireNonNull(input, "Mlp.forward: input");
        if (input.rank() < 1 || input.shape().dim(-1) != inputDim()) {
            throw new IllegalArgumentException("Mlp.forward: input has shape " + input.shape()
                    + ", expected a last axis of inputDim = " + inputDim());
        }
        Tensor h = input.cast(dtype);
        for (int k = 0; k < layers.size(); k++) {
            h = layers.get(k).apply(h);
            if (k < layers.size() - 1) {
                h = activation.apply(h);
            }
        }
        return h;
    }

    /** Weights and biases of every layer, in order: {@code layer0.weight, layer0.bias, layer1.weight, …}. */
    @Override
    public List<Tensor> parameters() {
        return parameters;
    }

    /** The Fourier frequencies ({@code time_embedding.frequencies}) when the time is embedded; else none. */
    @Override
    public List<Tensor> buffers() {
        return embedding == null ? List.of() : List.of(embedding.frequencyTensor());
    }

    /** The layers, first to last. */
    public List<Linear> layers() {
        return layers;
    }

    /** The width D of the data rows {@link #apply} takes. */
    @Override
    public OptionalInt inputDimension() {
        return OptionalInt.of(dataDim);
    }

    /** The width D of the data rows {@link #apply} takes. */
    public int dataDim() {
        return dataDim;
    }

    /** The width of the first layer's input: {@code dataDim} plus the time features. */
    public int inputDim() {
        return layers.getFirst().inFeatures();
    }

    public int outputDim() {
        return outputDim;
    }

    public Activation activation() {
        return activation;
    }

    public TimeInput timeInput() {
        return timeInput;
    }

    /** The Fourier embedding of the time, or null. */
    public FourierEmbedding embedding() {
        return embedding;
    }

    public DType dtype() {
        return dtype;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Mlp(");
        for (int k = 0; k < layers.size(); k++) {
            sb.append(k == 0 ? "" : " -> ").append(layers.get(k).inFeatures());
        }
        return sb.append(" -> ").append(outputDim).append(", ").append(activation).append(", time ")
                .append(timeInput).append(embedding != null ? " + fourier(" + embedding.frequencyCount() + ")" : "")
                .append(", ").append(dtype).append(")").toString();
    }

    /** Options of an {@link Mlp}; {@link #build()} checks them and draws the initial weights. */
    public static final class Builder {
        private final int dataDim;
        private int[] hidden = {128, 128};
        private Activation activation = Activation.SILU;
        private TimeInput timeInput = TimeInput.IDENTITY;
        private int embeddingFrequencies;
        private double embeddingScale = 16;
        private int outputDim = -1;
        private Key key = Key.of(0);
        private DType dtype = DType.F64;
        private Init init = Init.LECUN_UNIFORM;
        private Init lastInit;
        private String prefix = "";

        private Builder(int dataDim) {
            if (dataDim < 1) {
                throw new IllegalArgumentException("Mlp.builder: dataDim = " + dataDim + ", expected >= 1");
            }
            this.dataDim = dataDim;
        }

        /** Widths of the hidden layers (default 128, 128); none gives an affine model. */
        public Builder hidden(int... widths) {
            Objects.requireNonNull(widths, "hidden: widths");
            for (int i = 0; i < widths.length; i++) {
                if (widths[i] < 1) {
                    throw new IllegalArgumentException("hidden: widths[" + i + "] = " + widths[i] + " in "
                            + Arrays.toString(widths) + ", expected >= 1");
                }
            }
            this.hidden = widths.clone();
            return this;
        }

        /** The activation between layers (default {@link Activation#SILU}). */
        public Builder activation(Activation a) {
            this.activation = Objects.requireNonNull(a, "activation");
            return this;
        }

        /** How the time enters (default {@link TimeInput#IDENTITY}). */
        public Builder timeInput(TimeInput t) {
            this.timeInput = Objects.requireNonNull(t, "timeInput");
            return this;
        }

        /** Embeds {@code τ(t)} with {@code m} Gaussian Fourier frequencies of scale 16 ({@code 2m} features). */
        public Builder timeEmbedding(int m) {
            return timeEmbedding(m, 16);
        }

        /** Embeds {@code τ(t)} with {@code m} Gaussian Fourier frequencies {@code w ~ N(0, scale²)}. */
        public Builder timeEmbedding(int m, double scale) {
            if (m < 1) {
                throw new IllegalArgumentException("timeEmbedding: m = " + m + ", expected >= 1 frequencies");
            }
            if (!(scale > 0) || !Double.isFinite(scale)) {
                throw new IllegalArgumentException("timeEmbedding: scale = " + scale + ", expected a finite number > 0");
            }
            this.embeddingFrequencies = m;
            this.embeddingScale = scale;
            return this;
        }

        /** The output width (default: {@code dataDim}, as a score needs). */
        public Builder outputDim(int d) {
            if (d < 1) {
                throw new IllegalArgumentException("outputDim: d = " + d + ", expected >= 1");
            }
            this.outputDim = d;
            return this;
        }

        /** The key the initial weights are drawn from (default {@code Key.of(0)}). */
        public Builder key(Key key) {
            this.key = Objects.requireNonNull(key, "key");
            return this;
        }

        /** The dtype of parameters and computations (default F64). */
        public Builder dtype(DType dtype) {
            this.dtype = Draw.requireFloat("dtype", dtype);
            return this;
        }

        /** The weight initialisation of every layer (default {@link Init#LECUN_UNIFORM}). */
        public Builder init(Init init) {
            this.init = Objects.requireNonNull(init, "init");
            return this;
        }

        /** A different initialisation for the last layer (e.g. {@link Init#ZEROS}); default as {@link #init}. */
        public Builder lastLayerInit(Init init) {
            this.lastInit = Objects.requireNonNull(init, "lastLayerInit");
            return this;
        }

        /** A prefix for parameter names: {@code prefix.layer0.weight}, … (default none). */
        public Builder name(String prefix) {
            Objects.requireNonNull(prefix, "name");
            if (prefix.endsWith(".")) {
                throw new IllegalArgumentException("name: prefix = \"" + prefix + "\", expected no trailing '.'");
            }
            this.prefix = prefix;
            return this;
        }

        public Mlp build() {
            if (timeInput == TimeInput.NONE && embeddingFrequencies > 0) {
                throw new IllegalArgumentException("Mlp: timeEmbedding(" + embeddingFrequencies
                        + ") with timeInput NONE, expected IDENTITY or LOG when the time is embedded");
            }
            FourierEmbedding emb = embeddingFrequencies > 0
                    ? FourierEmbedding.of(
                    (prefix.isEmpty() ? "" : prefix + ".") + "time_embedding.frequencies", embeddingFrequencies,
                    embeddingScale, key.fold(EMBEDDING_KEY), dtype) : null;
            int timeFeatures = timeInput == TimeInput.NONE ? 0 : emb != null ? emb.features() : 1;
            int out = outputDim > 0 ? outputDim : dataDim;
            int[] widths = new int[hidden.length + 2];
            widths[0] = dataDim + timeFeatures;
            System.arraycopy(hidden, 0, widths, 1, hidden.length);
            widths[widths.length - 1] = out;
            String p = prefix.isEmpty() ? "" : prefix + ".";
            List<Linear> layers = new ArrayList<>();
            for (int k = 0; k + 1 < widths.length; k++) {
                boolean last = k + 2 == widths.length;
                Init in = last && lastInit != null ? lastInit : init;
                layers.add(Linear.of(p + "layer" + k, widths[k], widths[k + 1], in, key.fold(k), dtype));
            }
            return new Mlp(this, emb, Collections.unmodifiableList(layers));
        }
    }
}
