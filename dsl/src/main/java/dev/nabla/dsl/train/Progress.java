package dev.nabla.dsl.train;

/** How a training run reports progress: a redrawn bar on a terminal, or periodic lines elsewhere. */
interface Progress extends AutoCloseable {
    /** {@code done} steps are finished. */
    void stepTo(long done);

    /** The latest logged mean loss. */
    void loss(double loss);

    @Override
    void close();
}
