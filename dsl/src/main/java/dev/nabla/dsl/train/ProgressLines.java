package dev.nabla.dsl.train;

import java.util.Locale;
import java.util.function.Consumer;

/**
 * Progress for output that is not a terminal (a log file, CI, a notebook), where a redrawn bar would print
 * nothing readable: one line every {@code interval} of wall-clock time, and one at the end, with the step, the
 * latest logged loss, the rate since the start and the time left at that rate. Checking the clock costs one
 * {@code System.nanoTime()} per step.
 */
final class ProgressLines implements Progress {
    /** The default interval between lines: 5 s. */
    static final long INTERVAL_NANOS = 5_000_000_000L;

    private final long total;
    private final Consumer<String> out;
    private final long interval;
    private final long start = System.nanoTime();
    private long next;
    private long done;
    private double loss = Double.NaN;

    ProgressLines(long total, Consumer<String> out, long intervalNanos) {
        this.total = total;
        this.out = out;
        this.interval = intervalNanos;
        this.next = start + intervalNanos;
    }

    @Override
    public void stepTo(long done) {
        this.done = done;
        long now = System.nanoTime();
        if (now >= next) {
            next = now + interval;
            out.accept(line(now));
        }
    }

    @Override
    public void loss(double loss) {
        this.loss = loss;
    }

    @Override
    public void close() {
        out.accept(line(System.nanoTime()));
    }

    private String line(long now) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? done / seconds : 0;
        String eta = rate > 0 ? String.format(Locale.ROOT, "%.0f s", (total - done) / rate) : "?";
        return String.format(Locale.ROOT, "train: step %d/%d (%.0f %%), loss %s, %.1f steps/s, %.0f s elapsed, ETA %s",
                done, total, 100.0 * done / Math.max(1, total), Double.isNaN(loss) ? "-" : String.format(Locale.ROOT,
                        "%.4g", loss), rate, seconds, eta);
    }
}
