package io.ingestd.client;

import org.jspecify.annotations.Nullable;

import java.io.PrintStream;

/**
 * Progress of a long send on stderr: a bar with rate and ETA redrawn in place on a terminal, one plain line every
 * few seconds otherwise (logs and pipes get lines, not carriage returns).
 */
public final class Progress {
    private final @Nullable PrintStream out;
    private final boolean terminal;
    private final long start = System.nanoTime();
    private final long everyNanos;
    private long lastPrint = start;
    private boolean printed;

    public Progress(@Nullable PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.everyNanos = terminal ? 200_000_000L : 2_000_000_000L;
    }

    public static Progress none() {
        return new Progress(null, false);
    }

    void update(long done, long total, long acknowledged) {
        long now = System.nanoTime();
        if (out == null || now - lastPrint < everyNanos) return;
        lastPrint = now;
        printed = true;
        double secs = (now - start) / 1e9;
        double rate = done / Math.max(secs, 1e-9);
        if (terminal) {
            int width = 30;
            int filled = total > 0 ? (int) Math.min(width, done * width / total) : 0;
            long eta = rate > 0 && total > done ? (long) ((total - done) / rate) : 0;
            out.printf(
                    "\r[%s%s] %d/%d  %,.0f rec/s  ETA %ds ",
                    "#".repeat(filled), " ".repeat(width - filled), done, total, rate, eta);
        } else {
            out.printf("progress: %d records answered, %d acknowledged, %,.0f records/s%n", done, acknowledged, rate);
        }
        out.flush();
    }

    void finish(long done, long acknowledged) {
        if (out != null && terminal && printed) out.println();
    }
}
