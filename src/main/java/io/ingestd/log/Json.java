package io.ingestd.log;

/**
 * The one JSON string escaper (rejects.log, {@code status --json}, {@code /health}): quotes, backslashes and
 * control characters escaped; raw bytes additionally show every non-printable-ASCII byte as \\u00XX.
 */
public final class Json {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Json() {}

    /** {@code s} as a JSON string literal, quotes included. */
    public static String quote(String s) {
        return quote(new StringBuilder(s.length() + 2), s).toString();
    }

    /** Appends {@code s} as a JSON string literal, quotes included. */
    public static StringBuilder quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') escape(sb, c);
            else sb.append(c);
        }
        return sb.append('"');
    }

    /**
     * Appends the first {@code limit} bytes of {@code b}, escaped for a JSON string (no quotes): printable ASCII
     * as is, every other byte as \\u00XX, so binary stays visible and the line stays ASCII.
     */
    public static StringBuilder escapeBytes(StringBuilder sb, byte[] b, int limit) {
        for (int i = 0; i < b.length && i < limit; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') escape(sb, c);
            else sb.append((char) c);
        }
        return sb;
    }

    private static void escape(StringBuilder sb, int c) {
        switch (c) {
            case '"' -> sb.append("\\\"");
            case '\\' -> sb.append("\\\\");
            case '\n' -> sb.append("\\n");
            case '\r' -> sb.append("\\r");
            case '\t' -> sb.append("\\t");
            default -> sb.append("\\u00").append(HEX[(c >> 4) & 0xf]).append(HEX[c & 0xf]);
        }
    }
}
