package io.ingestd.log;

import io.ingestd.protocol.Reply;
import io.ingestd.protocol.ReplyTo;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * One JSON line per rejected message in {@code rejects.log}: time, peer, reason and the raw message, escaped
 * and cut at a limit, so an operator can see what was refused and why without the daemon storing garbage.
 * {@link RejectEntry} reads a line back ({@code ingestd replay}): a message of up to the limit is kept whole.
 */
public final class RejectLog {
    public static final String LOGGER = "ingestd.rejects";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final int MAX_RAW = 512;

    public void write(@Nullable ReplyTo replyTo, Reply.Reject reject, byte[] raw) {
        write(replyTo, reject, raw, raw.length);
    }

    public void write(@Nullable ReplyTo replyTo, Reply.Reject reject, String raw) {
        byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        write(replyTo, reject, b, b.length);
    }

    private void write(@Nullable ReplyTo replyTo, Reply.Reject reject, byte[] raw, int length) {
        if (!log.isInfoEnabled()) return;
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
}
