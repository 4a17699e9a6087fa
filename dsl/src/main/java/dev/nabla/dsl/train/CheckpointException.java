package dev.nabla.dsl.train;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be read into the given tensors: truncated or corrupt (bad header length,
 * invalid JSON, offsets out of range), or not matching them (a missing tensor, another dtype or shape). The
 * message names the file and, where one is at fault, the tensor with what was expected and what was found.
 */
public final class CheckpointException extends IOException {
    private final Path path;

    public CheckpointException(Path path, String message) {
        super(path + ": " + message);
        this.path = path;
    }

    public CheckpointException(Path path, String message, Throwable cause) {
        super(path + ": " + message, cause);
        this.path = path;
    }

    /** The checkpoint file. */
    public Path path() {
        return path;
    }
}
