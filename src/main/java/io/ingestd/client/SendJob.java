package io.ingestd.client;

import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ingestd send}: streams CSV lines to the daemon, {@code batch} lines a message, {@code window} messages in
 * flight. A rejected multi-line message is split and its lines sent one by one, so every rejection names its
 * own line; RETRY answers are sent again with backoff. Ends with a summary and the counts.
 */
public final class SendJob {
    private final Sender sender;
    private final int batch;
    private final int maxAttempts;
    private final Duration replyTimeout;
    private final Duration failoverAfter;
    private final Progress progress;
    private final @Nullable Writer rejectsOut;
    private final int maxBytes;
    private @Nullable String carried; // a line read that did not fit the message before: the first of the next
    private long carriedNumber;
    private final ArrayDeque<Chunk> again = new ArrayDeque<>();
    private final List<String> firstRejections = new ArrayList<>();
    private long acknowledged, rejected, unacknowledged, lines;
    private Outcome outcome = (number, line, reply) -> {};

    /** The final answer for one input line: {@code TRUE}, {@code FALSE reason}, the last {@code RETRY}, or none. */
    @FunctionalInterface
    public interface Outcome {
        void line(long number, String line, String reply);
    }

    /** Lines of one message with their line numbers in the input, and how often it was tried. */
    @SuppressWarnings("ArrayRecordComponent") // one sender's own state, never compared
    record Chunk(long[] lineNumbers, String[] lines, int attempts, long notBeforeNanos) {
        byte[] body() {
            return String.join("\n", lines).getBytes(StandardCharsets.UTF_8);
        }
    }

    /** What a run came to. */
    public record Summary(
            long records,
            long acknowledged,
            long rejected,
            long unacknowledged,
            Duration took,
            List<String> firstRejections) {
        public boolean allAcknowledged() {
            return rejected == 0 && unacknowledged == 0;
        }
    }

    /**
     * {@code failoverAfter}: with several endpoints, how long without any reply before the requests in flight go to
     * the next node (Lazy Pirate); {@code replyTimeout}: how long without any reply before they are given up;
     * {@code maxBytes}: the daemon's message.max-bytes (a longer line is refused here, messages stay below it).
     */
    public SendJob(
            Sender sender,
            int batch,
            int maxAttempts,
            Duration replyTimeout,
            Duration failoverAfter,
            Progress progress,
            @Nullable Writer rejectsOut,
            int maxBytes) {
        this.maxBytes = maxBytes;
        this.sender = sender;
        this.failoverAfter = failoverAfter;
        this.batch = batch;
        this.maxAttempts = maxAttempts;
        this.replyTimeout = replyTimeout;
        this.progress = progress;
        this.rejectsOut = rejectsOut;
    }

    /** Hands the final answer of each line to {@code outcome} (replay reports every line). */
    public SendJob reportingEachLine(Outcome outcome) {
        this.outcome = outcome;
        return this;
    }

    public Summary run(BufferedReader in, long expectedLines) throws IOException {
        long start = System.nanoTime();
        long lastReply = start, lastFailover = start;
        boolean eof = false;
        long lineNo = 0;
        var numbers = new long[batch];
        var text = new String[batch];
        while (!eof || !again.isEmpty() || sender.inFlight() > 0) {
            while (sender.hasRoom() && readyAgain()) send(again.poll());
            while (!eof && sender.hasRoom()) {
                int n = 0;
                long bytes = 0;
                String line;
                boolean full = false;
                while (n < batch) {
                    long number;
                    if (carried != null) {
                        line = carried;
                        number = carriedNumber;
                        carried = null;
                    } else {
                        if ((line = in.readLine()) == null) break;
                        number = ++lineNo;
                    }
                    if (line.isBlank()) continue;
                    int size = line.getBytes(StandardCharsets.UTF_8).length + 1;
                    if (size - 1 > maxBytes) {
                        lines++;
                        refuseHere(
                                number,
                                line,
                                "line too long: " + (size - 1) + " bytes (message.max-bytes is " + maxBytes
                                        + "); not sent");
                        continue;
                    }
                    if (bytes + size > maxBytes + 1 && n > 0) { // the joined message would be too large: next one
                        carried = line;
                        carriedNumber = number;
                        full = true;
                        break;
                    }
                    bytes += size;
                    numbers[n] = number;
                    text[n++] = line;
                }
                if (n < batch && !full) eof = true;
                if (n > 0) {
                    lines += n;
                    send(new Chunk(java.util.Arrays.copyOf(numbers, n), java.util.Arrays.copyOf(text, n), 0, 0));
                }
            }
            if (sender.inFlight() == 0) {
                if (!again.isEmpty()) pause(again.peek().notBeforeNanos());
                continue;
            }
            int got = sender.receive(Duration.ofMillis(100), this::onAnswer);
            long now = System.nanoTime();
            if (got > 0) lastReply = lastFailover = now;
            else if (sender.hasAlternatives()
                    && now - lastFailover > failoverAfter.toNanos()
                    && now - lastReply < replyTimeout.toNanos()) {
                sender.failOver();
                lastFailover = now;
            } else if (now - lastReply > replyTimeout.toNanos()) {
                for (var p : sender.abandon()) {
                    var c = (Chunk) p.attachment();
                    unacknowledged += c.lines().length;
                    for (int i = 0; i < c.lines().length; i++)
                        outcome.line(c.lineNumbers()[i], c.lines()[i], "no reply");
                }
                lastReply = now;
            }
            progress.update(acknowledged + rejected + unacknowledged, Math.max(expectedLines, lines), acknowledged);
        }
        progress.finish(acknowledged + rejected + unacknowledged, acknowledged);
        return new Summary(
                lines,
                acknowledged,
                rejected,
                unacknowledged,
                Duration.ofNanos(System.nanoTime() - start),
                List.copyOf(firstRejections));
    }

    private boolean readyAgain() {
        return !again.isEmpty() && System.nanoTime() - again.peek().notBeforeNanos() >= 0;
    }

    private void send(Chunk c) {
        sender.send(c.body(), c);
    }

    private void onAnswer(Sender.Answer a) {
        var c = (Chunk) a.request().attachment();
        int n = c.lines().length;
        if (a.acknowledged()) {
            acknowledged += n;
            for (int i = 0; i < n; i++) outcome.line(c.lineNumbers()[i], c.lines()[i], a.reply());
        } else if (a.rejected()) {
            if (n > 1) {
                for (int i = 0; i < n; i++) {
                    again.add(new Chunk(new long[] {c.lineNumbers()[i]}, new String[] {c.lines()[i]}, 0, 0));
                }
            } else {
                rejected++;
                String what = "line " + c.lineNumbers()[0] + ": " + a.reason();
                if (firstRejections.size() < 10) firstRejections.add(what);
                writeRejected(c.lines()[0], a.reason());
                outcome.line(c.lineNumbers()[0], c.lines()[0], a.reply());
            }
        } else if (c.attempts() + 1 >= maxAttempts) {
            unacknowledged += n;
            for (int i = 0; i < n; i++) outcome.line(c.lineNumbers()[i], c.lines()[i], a.reply());
            if (firstRejections.size() < 10) firstRejections.add("line " + c.lineNumbers()[0] + ": " + a.reply());
        } else {
            long backoff = Duration.ofMillis(100L << Math.min(c.attempts(), 5)).toNanos();
            again.add(new Chunk(c.lineNumbers(), c.lines(), c.attempts() + 1, System.nanoTime() + backoff));
        }
    }

    private void refuseHere(long number, String line, String why) {
        rejected++;
        if (firstRejections.size() < 10) firstRejections.add("line " + number + ": " + why);
        writeRejected(line.length() > 200 ? line.substring(0, 200) + "..." : line, why);
        outcome.line(number, line, "FALSE " + why);
    }

    private void writeRejected(String line, String reason) {
        if (rejectsOut == null) return;
        try {
            rejectsOut.write(line + "\t# " + reason + "\n");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void pause(long untilNanos) {
        long wait = untilNanos - System.nanoTime();
        if (wait > 0) java.util.concurrent.locks.LockSupport.parkNanos(wait);
    }

    public static void print(Summary s, String source, PrintStream out) {
        double secs = Math.max(s.took().toNanos() / 1e9, 1e-9);
        out.printf(
                "sent %d records from %s in %.1f s (%,.0f records/s acknowledged)%n",
                s.records(), source, secs, s.acknowledged() / secs);
        out.printf("  acknowledged:     %d%n", s.acknowledged());
        out.printf("  rejected:         %d%n", s.rejected());
        out.printf("  not acknowledged: %d (RETRY or no reply; send them again)%n", s.unacknowledged());
        if (!s.firstRejections().isEmpty()) {
            out.println("first problems:");
            s.firstRejections().forEach(r -> out.println("  " + r));
        }
    }
}
