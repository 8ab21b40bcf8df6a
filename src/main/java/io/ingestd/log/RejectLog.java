package io.ingestd.log;

import io.ingestd.protocol.Reply;
import io.ingestd.protocol.ReplyTo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * One JSON line per rejected message in {@code rejects.log}: time, peer, reason and the raw message, escaped
 * and cut at a limit, so an operator can see what was refused and why without the daemon storing garbage.
 * {@link RejectEntry} reads a line back ({@code ingestd replay}): a message of up to the limit is kept whole.
 *
 * <p>A client that floods the daemon with bad messages must not fill the disk that holds the database and the
 * spool: lines about messages answered {@code FALSE} are limited per connection and in total each second, and
 * stop while the file is over {@link #MAX_FILE_BYTES} (logrotate, or ingestd's own rolling, starts a new one);
 * what was left out is counted and said once a second in the main log. A record rejected at the spool drain
 * (answered {@code TRUE} before, peer {@code spool}) is always written: it is what {@code ingestd replay} sends
 * again.
 */
public final class RejectLog {
    public static final String LOGGER = "ingestd.rejects";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final Logger daemonLog = LoggerFactory.getLogger(RejectLog.class);
    private static final int MAX_RAW = 512;
    /** Lines a second about one connection's messages, and about all of them. */
    static final int PER_PEER_PER_SECOND = 20, TOTAL_PER_SECOND = 200;
    /** The size past which client rejects are no longer written (the rolling policy's file size too). */
    public static final long MAX_FILE_BYTES = 100L * 1024 * 1024;

    private final Map<String, Integer> linesThisSecond = new HashMap<>();
    private long second = -1;
    private int totalThisSecond;
    private long suppressed;
    private @Nullable Path file;

    /**
     * The file the lines go to, whose size then bounds them: with {@code log.rotate=external} only (ingestd's own
     * rolling policy rolls at the same size, but only as a line is written, so a cap would keep it from rolling).
     */
    public synchronized void writesTo(Path file) {
        this.file = file;
    }

    /** How many client reject lines were left out so far (rate or size). */
    public synchronized long suppressed() {
        return suppressed;
    }

    public void write(@Nullable ReplyTo replyTo, Reply.Reject reject, byte[] raw) {
        write(replyTo, reject, raw, raw.length);
    }

    public void write(@Nullable ReplyTo replyTo, Reply.Reject reject, String raw) {
        byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        write(replyTo, reject, b, b.length);
    }

    private void write(@Nullable ReplyTo replyTo, Reply.Reject reject, byte[] raw, int length) {
        if (!log.isInfoEnabled()) return;
        if (replyTo != null && !admit(replyTo.peerName())) return;
        var sb = new StringBuilder(160 + Math.min(length, MAX_RAW) * 2);
        sb.append("{\"time\":\"").append(Instant.now()).append("\",\"peer\":");
        Json.quote(sb, replyTo == null ? "spool" : replyTo.peerName()); // null: a spooled message, found late
        sb.append(",\"reason\":\"").append(reject.reason().label()).append("\",\"detail\":");
        Json.quote(sb, reject.detail());
        sb.append(",\"bytes\":").append(length).append(",\"raw\":\"");
        Json.escapeBytes(sb, raw, Math.min(length, MAX_RAW));
        sb.append(length > MAX_RAW ? "...\"" : "\"").append('}');
        log.info(sb.toString());
    }

    /** Whether a line about this connection's message may be written now; counts it as left out if not. */
    private synchronized boolean admit(String peer) {
        long now = System.nanoTime() / 1_000_000_000L;
        if (now != second) {
            if (suppressed > 0 && second >= 0 && leftOutAtLastReport != suppressed) {
                daemonLog.warn(
                        "rejects.log: {} lines about rejected messages left out so far (at most {} a second per "
                                + "connection, {} in all, and none while the file is over {} MiB)",
                        suppressed,
                        PER_PEER_PER_SECOND,
                        TOTAL_PER_SECOND,
                        MAX_FILE_BYTES >> 20);
                leftOutAtLastReport = suppressed;
            }
            second = now;
            totalThisSecond = 0;
            linesThisSecond.clear();
        }
        int peerLines = linesThisSecond.merge(peer, 1, Integer::sum);
        if (peerLines > PER_PEER_PER_SECOND || ++totalThisSecond > TOTAL_PER_SECOND || isFull()) {
            suppressed++;
            return false;
        }
        return true;
    }

    private long leftOutAtLastReport;

    private boolean isFull() {
        var f = file;
        if (f == null) return false;
        try {
            return Files.size(f) > MAX_FILE_BYTES;
        } catch (IOException e) {
            return false; // moved away by logrotate and not reopened yet: the appender still writes the old file
        }
    }
}
