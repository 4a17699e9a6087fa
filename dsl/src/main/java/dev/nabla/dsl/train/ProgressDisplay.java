package dev.nabla.dsl.train;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.Console;
import java.text.DecimalFormat;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * The training progress bar (me.tongfei:progressbar): steps done, steps/s, ETA and the last logged loss,
 * redrawn by the library's own thread at most 10 times a second. Stepping it is a synchronized field write.
 */
final class ProgressDisplay implements Progress {
    /** Redraw interval: at most 10 updates a second. */
    static final int UPDATE_MILLIS = 100;

    private final ProgressBar bar;

    /** The rendered width when the output is not a terminal (which has its own width). */
    static final int PLAIN_WIDTH = 110;

    /**
     * A bar of {@code total} steps, drawn on standard error (coloured, terminal-wide) when it is a terminal,
     * else in plain ASCII of {@link #PLAIN_WIDTH} characters; or sent to {@code sink} when it is not null.
     */
    ProgressDisplay(long total, Consumer<String> sink) {
        boolean terminal = sink == null && isTerminal();
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName("train").setInitialMax(total)
                .setUpdateIntervalMillis(UPDATE_MILLIS).setUnit(" steps", 1).showSpeed(new DecimalFormat("0.0"))
                .setSpeedUnit(ChronoUnit.SECONDS);
        if (sink != null) {
            b.setStyle(ProgressBarStyle.ASCII).setConsumer(new DelegatingProgressBarConsumer(sink, PLAIN_WIDTH));
        } else if (!terminal) {
            b.setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err, PLAIN_WIDTH));
        }
        this.bar = b.build();
    }

    /** Whether standard output is an interactive terminal (the default condition for showing the bar). */
    static boolean isTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    @Override
    public void stepTo(long done) {
        bar.stepTo(done);
    }

    @Override
    public void loss(double loss) {
        bar.setExtraMessage(String.format(Locale.ROOT, " loss %.4g", loss));
    }

    @Override
    public void close() {
        bar.close();
    }
}
