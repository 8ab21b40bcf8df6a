package io.ingestd.log;

import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One line of {@code rejects.log} read back (the format {@link RejectLog} writes): who sent it ({@code spool} for a
 * message acknowledged while the database was away and rejected when the spool was written to it), why, and the
 * message's own bytes, so that {@code ingestd replay} can send its records again.
 */
public record RejectEntry(String peer, String reason, String detail, String raw, boolean isCut) {
    /** The peer name of a message rejected at the drain of the spool: its sender was answered {@code TRUE}. */
    public static final String SPOOL = "spool";

    public boolean isFromSpool() {
        return peer.equals(SPOOL);
    }

    /** The message's record lines (one per line of the raw message, blank ones left out). */
    public List<String> lines() {
        var lines = new ArrayList<String>();
        for (String l : raw.split("\r?\n", -1)) if (!l.isBlank()) lines.add(l);
        return lines;
    }

    /** The entry of one rejects.log line, or null if the line is not one. */
    public static @Nullable RejectEntry parse(String line) {
        var fields = fields(line.strip());
        if (fields == null) return null;
        String peer = fields.get("peer"), reason = fields.get("reason"), raw = fields.get("raw");
        if (peer == null || reason == null || raw == null) return null;
        long bytes;
        try {
            bytes = Long.parseLong(fields.getOrDefault("bytes", "-1"));
        } catch (NumberFormatException e) {
            return null;
        }
        // raw is one char per byte (printable ASCII, or backslash-u00XX), all of them, or the first ones and "..."
        // after them
        boolean cut = bytes >= 0 && bytes != raw.length();
        String body = cut && raw.endsWith("...") ? raw.substring(0, raw.length() - 3) : raw;
        String text = new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        return new RejectEntry(peer, reason, fields.getOrDefault("detail", ""), text, cut);
    }

    /** The fields of a flat JSON object of strings and numbers, or null if the text is not one. */
    private static @Nullable Map<String, String> fields(String s) {
        var map = new HashMap<String, String>();
        int[] at = {0};
        if (!eat(s, at, '{')) return null;
        if (eat(s, at, '}')) return at[0] == s.length() ? map : null;
        do {
            String key = string(s, at);
            if (key == null || !eat(s, at, ':')) return null;
            String value = at[0] < s.length() && s.charAt(at[0]) == '"' ? string(s, at) : number(s, at);
            if (value == null) return null;
            map.put(key, value);
        } while (eat(s, at, ','));
        return eat(s, at, '}') && at[0] == s.length() ? map : null;
    }

    private static boolean eat(String s, int[] at, char c) {
        if (at[0] < s.length() && s.charAt(at[0]) == c) {
            at[0]++;
            return true;
        }
        return false;
    }

    private static @Nullable String number(String s, int[] at) {
        int from = at[0];
        while (at[0] < s.length() && "-+.0123456789eE".indexOf(s.charAt(at[0])) >= 0) at[0]++;
        return at[0] > from ? s.substring(from, at[0]) : null;
    }

    private static @Nullable String string(String s, int[] at) {
        if (!eat(s, at, '"')) return null;
        var sb = new StringBuilder();
        while (at[0] < s.length()) {
            char c = s.charAt(at[0]++);
            if (c == '"') return sb.toString();
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (at[0] >= s.length()) return null;
            char e = s.charAt(at[0]++);
            switch (e) {
                case '"', '\\', '/' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'u' -> {
                    if (at[0] + 4 > s.length()) return null;
                    try {
                        sb.append((char) Integer.parseInt(s.substring(at[0], at[0] + 4), 16));
                    } catch (NumberFormatException x) {
                        return null;
                    }
                    at[0] += 4;
                }
                default -> {
                    return null;
                }
            }
        }
        return null;
    }
}
