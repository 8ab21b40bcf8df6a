package io.ingestd.log;

import io.ingestd.protocol.Reply;
import io.ingestd.protocol.ReplyTo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per rejected message in {@code rejects.log}: time, peer, reason and the raw message, escaped
 * and cut at a limit, so an operator can see what was refused and why without the daemon storing garbage.
 */
public final class RejectLog {
    public static final String LOGGER = "ingestd.rejects";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final int MAX_RAW = 512;

    public void write(ReplyTo replyTo, Reply.Reject reject, byte[] raw) {
        write(replyTo, reject, raw, raw.length);
    }

    public void write(ReplyTo replyTo, Reply.Reject reject, String raw) {
        byte[] b = raw.getBytes(StandardCharsets.UTF_8);
        write(replyTo, reject, b, b.length);
    }

    private void write(ReplyTo replyTo, Reply.Reject reject, byte[] raw, int length) {
        if (!log.isInfoEnabled()) return;
        var sb = new StringBuilder(160 + Math.min(length, MAX_RAW) * 2);
        sb.append("{\"time\":\"").append(Instant.now()).append("\",\"peer\":");
        json(sb, replyTo.peerName());
        sb.append(",\"reason\":\"").append(reject.reason().label()).append("\",\"detail\":");
        json(sb, reject.detail());
        sb.append(",\"bytes\":").append(length).append(",\"raw\":\"");
        escape(sb, raw, Math.min(length, MAX_RAW));
        sb.append(length > MAX_RAW ? "...\"" : "\"").append('}');
        log.info(sb.toString());
    }

    private static void json(StringBuilder sb, String s) {
        sb.append('"');
        escape(sb, s.getBytes(StandardCharsets.UTF_8), Integer.MAX_VALUE);
        sb.append('"');
    }

    /** JSON string escape of raw bytes: printable ASCII as is, every other byte as \\u00XX (so binary is visible). */
    static void escape(StringBuilder sb, byte[] b, int limit) {
        for (int i = 0; i < b.length && i < limit; i++) {
            int c = b[i] & 0xff;
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c >= 0x20 && c < 0x7f) sb.append((char) c);
                    else sb.append(String.format("\\u%04x", c));
                }
            }
        }
    }
}
