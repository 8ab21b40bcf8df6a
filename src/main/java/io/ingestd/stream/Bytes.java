package io.ingestd.stream;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Byte-range helpers shared by the codecs and the types; they work on the message's bytes in place. */
final class Bytes {
    private static final int SHOWN_TEXT = 40;

    private Bytes() {}

    static int skipSpace(byte[] b, int from, int to) {
        while (from < to && (b[from] == ' ' || b[from] == '\t')) from++;
        return from;
    }

    static int trimSpace(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) to--;
        return to;
    }

    static boolean allDigits(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] < '0' || b[i] > '9') return false;
        return from < to;
    }

    static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') return false;
        return true;
    }

    static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }

    static int count(byte[] b, byte c, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) if (b[i] == c) n++;
        return n;
    }

    /** ASCII is checked first because almost every message is ASCII and the decoder is ten times slower. */
    static boolean isUtf8(byte[] b) {
        boolean ascii = true;
        for (byte x : b) {
            if (x < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) return true;
        try {
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** A value as shown in a rejection: printable characters as they are, others escaped, cut at 40 characters. */
    static String show(byte[] b, int from, int to) {
        var sb = new StringBuilder();
        String text = new String(b, from, to - from, StandardCharsets.UTF_8);
        int shown = 0;
        for (int i = 0; i < text.length() && shown < SHOWN_TEXT; shown++) {
            int cp = text.codePointAt(i);
            if (Character.isISOControl(cp) || cp == '\\') sb.append(String.format("\\x%02x", cp));
            else sb.appendCodePoint(cp);
            i += Character.charCount(cp);
        }
        if (shown >= SHOWN_TEXT && text.codePointCount(0, text.length()) > SHOWN_TEXT) sb.append("...");
        return sb.toString();
    }
}
