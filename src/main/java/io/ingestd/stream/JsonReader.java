package io.ingestd.stream;

import java.util.Arrays;

/**
 * The JSON tokens of one message, read from its bytes in place (RFC 8259; the message is valid UTF-8). A
 * string without escapes is a range of the message; with escapes it is unescaped into a reused buffer; a
 * number is the range of its token, which the field types read without a String.
 */
final class JsonReader {
    static final int MAX_DEPTH = 64;

    final byte[] b;
    int pos;
    int line = 1;
    /** Where the last string or number is: {@code buf[from, to)}. */
    byte[] buf;

    int from;
    int to;
    /** Why the last read failed, when it returned false. */
    String error = "";

    private byte[] scratch = new byte[64];

    JsonReader(byte[] b) {
        this.b = b;
        this.buf = b;
    }

    boolean atEnd() {
        return pos >= b.length;
    }

    byte peek() {
        return b[pos];
    }

    /** Skips spaces, tabs and line breaks, counting lines. */
    void skipSpace() {
        while (pos < b.length) {
            byte c = b[pos];
            if (c == '\n') line++;
            else if (c != ' ' && c != '\t' && c != '\r') return;
            pos++;
        }
    }

    /** Skips spaces and tabs only; true if what follows is a line break or the end. */
    boolean atLineEnd() {
        while (pos < b.length && (b[pos] == ' ' || b[pos] == '\t' || b[pos] == '\r')) pos++;
        return pos == b.length || b[pos] == '\n';
    }

    boolean consume(char c) {
        if (pos < b.length && b[pos] == c) {
            pos++;
            return true;
        }
        return false;
    }

    /** A string from its opening quote at {@code pos}. */
    boolean string() {
        int start = ++pos;
        while (pos < b.length && b[pos] != '"' && b[pos] != '\\' && (b[pos] & 0xff) >= 0x20) pos++;
        if (pos < b.length && b[pos] == '"') {
            buf = b;
            from = start;
            to = pos++;
            return true;
        }
        int out = pos - start;
        if (scratch.length < out) scratch = Arrays.copyOf(scratch, out * 2);
        System.arraycopy(b, start, scratch, 0, out);
        while (true) {
            if (pos >= b.length) return fail("unterminated string");
            int c = b[pos++] & 0xff;
            if (c == '"') break;
            if (c < 0x20) return fail("a control character inside a string (escape it)");
            if (scratch.length < out + 4) scratch = Arrays.copyOf(scratch, scratch.length * 2);
            if (c != '\\') {
                scratch[out++] = (byte) c;
                continue;
            }
            int cp = escape();
            if (cp < 0) return false;
            out = utf8(cp, out);
        }
        buf = scratch;
        from = 0;
        to = out;
        return true;
    }

    private int escape() {
        if (pos >= b.length) return failCode("unterminated string");
        byte e = b[pos++];
        switch (e) {
            case '"', '\\', '/' -> {
                return e;
            }
            case 'b' -> {
                return '\b';
            }
            case 'f' -> {
                return '\f';
            }
            case 'n' -> {
                return '\n';
            }
            case 'r' -> {
                return '\r';
            }
            case 't' -> {
                return '\t';
            }
            case 'u' -> {
                int u = hex4();
                if (u < 0 || Character.isLowSurrogate((char) u)) return failCode("an invalid \\u escape");
                if (!Character.isHighSurrogate((char) u)) return u;
                if (pos + 1 >= b.length || b[pos] != '\\' || b[pos + 1] != 'u')
                    return failCode("an unpaired surrogate");
                pos += 2;
                int low = hex4();
                if (low < 0 || !Character.isLowSurrogate((char) low)) return failCode("an unpaired surrogate");
                return Character.toCodePoint((char) u, (char) low);
            }
            default -> {
                return failCode("an invalid escape \\" + (char) (e & 0x7f));
            }
        }
    }

    private int hex4() {
        if (pos + 4 > b.length) return -1;
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos++], 16);
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    }

    private int utf8(int cp, int out) {
        if (cp < 0x80) {
            scratch[out++] = (byte) cp;
        } else if (cp < 0x800) {
            scratch[out++] = (byte) (0xc0 | (cp >> 6));
            scratch[out++] = (byte) (0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            scratch[out++] = (byte) (0xe0 | (cp >> 12));
            scratch[out++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
            scratch[out++] = (byte) (0x80 | (cp & 0x3f));
        } else {
            scratch[out++] = (byte) (0xf0 | (cp >> 18));
            scratch[out++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
            scratch[out++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
            scratch[out++] = (byte) (0x80 | (cp & 0x3f));
        }
        return out;
    }

    /** A number token per RFC 8259's grammar: {@code -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?}. */
    boolean number() {
        int start = pos;
        consume('-');
        // a leading zero stands alone: 007 is not a JSON number
        if (!consume('0') && !digits()) return failNumber(start);
        if (consume('.') && !digits()) return failNumber(start);
        if (consume('e') || consume('E')) {
            if (!consume('+')) consume('-');
            if (!digits()) return failNumber(start);
        }
        if (pos < b.length && (b[pos] == '.' || (b[pos] >= '0' && b[pos] <= '9'))) return failNumber(start);
        buf = b;
        from = start;
        to = pos;
        return true;
    }

    private boolean digits() {
        int start = pos;
        while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
        return pos > start;
    }

    private boolean failNumber(int start) {
        int end = pos;
        while (end < b.length && "+-.eE0123456789".indexOf(b[end]) >= 0) end++;
        return fail("invalid JSON number " + Bytes.show(b, start, end));
    }

    /** The literal (true, false, null) that starts at {@code pos}, if it is {@code word}. */
    boolean literal(String word) {
        if (pos + word.length() > b.length) return false;
        for (int i = 0; i < word.length(); i++) if (b[pos + i] != word.charAt(i)) return false;
        pos += word.length();
        return true;
    }

    /** Skips any value (for an ignored key), objects and arrays to {@link #MAX_DEPTH}. */
    boolean skipValue(int depth) {
        if (depth > MAX_DEPTH) return fail("nested deeper than " + MAX_DEPTH);
        skipSpace();
        if (atEnd()) return fail("a value is missing");
        byte c = peek();
        if (c == '"') return string();
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        if (literal("true") || literal("false") || literal("null")) return true;
        if (c != '{' && c != '[') return fail("not a JSON value");
        byte close = c == '{' ? (byte) '}' : (byte) ']';
        pos++;
        skipSpace();
        if (consume((char) close)) return true;
        while (true) {
            if (c == '{') {
                skipSpace();
                if (atEnd() || peek() != '"' || !string()) return fail("expected a key");
                skipSpace();
                if (!consume(':')) return fail("expected :");
            }
            if (!skipValue(depth + 1)) return false;
            skipSpace();
            if (consume((char) close)) return true;
            if (!consume(',')) return fail("expected , or " + (char) close);
        }
    }

    boolean fail(String why) {
        error = why;
        return false;
    }

    private int failCode(String why) {
        error = why;
        return -1;
    }
}
