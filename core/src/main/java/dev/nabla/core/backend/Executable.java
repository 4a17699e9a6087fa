package dev.nabla.core.backend;

import dev.nabla.core.NdArray;
import dev.nabla.core.random.Key;

/** A program loaded on a backend: bind inputs, run, read outputs. Not thread-safe. */
public interface Executable {
    /** Copies {@code value} into input {@code index} (shapes were checked by the caller). */
    void setInput(int index, NdArray value);

    /** Binds key input {@code index}. */
    void setKey(int index, Key key);

    /** Runs every step once. */
    void run();

    /** Output {@code index}: a view of the backend's buffer, overwritten by the next run. */
    NdArray output(int index);
}
