package io.ingestd.protocol;

import io.ingestd.protocol.Reply.Reason;
import org.jspecify.annotations.Nullable;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Parses and validates a request body: one record {@code ticket,login,volume} per line, lines separated by
 * {@code \n} (a trailing newline and {@code \r\n} accepted). Works on the raw bytes, without building strings,
 * because this runs for every record on the listener thread.
 */
public final class RecordParser {
    /** 14 integer and 4 fraction digits: DECIMAL(18,4), and the unscaled value still fits in a long. */
    public static final int VOLUME_INT_DIGITS = 14;

    public static final int VOLUME_FRACTION_DIGITS = Records.VOLUME_SCALE;
    private static final int SHOWN_TEXT = 40;

    private RecordParser() {}

    /** The outcome of parsing: either records or the rejection that names line and field. */
    public sealed interface Result {
        record Parsed(Records records) implements Result {}

        record Invalid(Reply.Reject reject) implements Result {}
    }

    public static Result parse(byte[] body, int maxBytes, int maxRecords) {
        if (body.length > maxBytes) {
            return invalid(Reason.TOO_LARGE, "message too large: " + body.length + " bytes (max " + maxBytes + ")");
        }
        int end = body.length;
        if (end > 0 && body[end - 1] == '\n') end--;
        if (end > 0 && body[end - 1] == '\r') end--;
        if (isBlank(body, 0, end)) return invalid(Reason.EMPTY, "empty message (expected ticket,login,volume)");
        if (!isAscii(body, 0, end) && !isUtf8(body)) {
            return invalid(Reason.NOT_UTF8, "message is not valid UTF-8");
        }
        int lines = 1;
        for (int i = 0; i < end; i++) if (body[i] == '\n') lines++;
        if (lines > maxRecords) {
            return invalid(Reason.TOO_MANY_RECORDS, "too many records: " + lines + " (max " + maxRecords + ")");
        }
        var records = new Records(lines);
        int start = 0;
        for (int line = 1; start <= end; line++) {
            int nl = indexOf(body, (byte) '\n', start, end);
            int stop = nl < 0 ? end : nl;
            int lineEnd = stop > start && body[stop - 1] == '\r' ? stop - 1 : stop;
            var error = parseLine(body, start, lineEnd, line, lines > 1, records);
            if (error != null) return new Result.Invalid(error);
            if (nl < 0) break;
            start = nl + 1;
        }
        return new Result.Parsed(records);
    }

    private static Reply.@Nullable Reject parseLine(byte[] b, int from, int to, int line, boolean multi, Records out) {
        String where = multi ? "line " + line + ": " : "";
        if (isBlank(b, from, to)) return Reply.reject(Reason.EMPTY, where + "empty line");
        int c1 = indexOf(b, (byte) ',', from, to);
        int c2 = c1 < 0 ? -1 : indexOf(b, (byte) ',', c1 + 1, to);
        int c3 = c2 < 0 ? -1 : indexOf(b, (byte) ',', c2 + 1, to);
        if (c2 < 0 || c3 >= 0) {
            return Reply.reject(
                    Reason.FIELD_COUNT,
                    where + "expected 3 fields ticket,login,volume, got " + fieldCount(b, from, to) + ": '"
                            + show(b, from, to) + "'");
        }
        long ticket = parseId(b, from, c1);
        if (ticket < 0) return idError(b, from, c1, ticket, where + "field ticket");
        long login = parseId(b, c1 + 1, c2);
        if (login < 0) return idError(b, c1 + 1, c2, login, where + "field login");
        long volume = parseVolume(b, c2 + 1, to);
        if (volume < 0) return volumeError(b, c2 + 1, to, volume, where + "field volume");
        out.add(ticket, login, volume);
        return null;
    }

    // Error codes returned in place of a value, so the hot path throws and allocates nothing.
    private static final long NAN = -1, NEG = -2, ZERO = -3, RANGE = -4, INT_DIGITS = -5, FRACTION_DIGITS = -6;

    /** A positive 64-bit integer, or a negative error code. */
    static long parseId(byte[] b, int from, int to) {
        from = skipSpace(b, from, to);
        to = trimSpace(b, from, to);
        if (from == to) return NAN;
        if (b[from] == '-' && to - from > 1 && allDigits(b, from + 1, to)) return NEG;
        if (!allDigits(b, from, to)) return NAN;
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (v > (Long.MAX_VALUE - d) / 10) return RANGE;
            v = v * 10 + d;
        }
        return v == 0 ? ZERO : v;
    }

    /** A non-negative decimal with at most 14 integer and 4 fraction digits, as units of 10^-4. */
    static long parseVolume(byte[] b, int from, int to) {
        from = skipSpace(b, from, to);
        to = trimSpace(b, from, to);
        if (from == to) return NAN;
        boolean negative = b[from] == '-';
        int i = negative ? from + 1 : from;
        int dot = indexOf(b, (byte) '.', i, to);
        int intEnd = dot < 0 ? to : dot;
        if (intEnd == i || !allDigits(b, i, intEnd)) return NAN;
        if (dot >= 0 && (dot + 1 == to || !allDigits(b, dot + 1, to))) return NAN;
        while (i < intEnd - 1 && b[i] == '0') i++;
        if (intEnd - i > VOLUME_INT_DIGITS) return INT_DIGITS;
        int fraction = dot < 0 ? 0 : to - dot - 1;
        if (fraction > VOLUME_FRACTION_DIGITS) return FRACTION_DIGITS;
        long v = 0;
        for (int k = i; k < intEnd; k++) v = v * 10 + (b[k] - '0');
        for (int k = 0; k < VOLUME_FRACTION_DIGITS; k++) {
            v = v * 10 + (k < fraction ? b[dot + 1 + k] - '0' : 0);
        }
        if (negative) return v == 0 ? v : NEG;
        return v;
    }

    private static Reply.Reject idError(byte[] b, int from, int to, long code, String field) {
        String text = "'" + show(b, from, to) + "'";
        if (code == NEG) return Reply.reject(Reason.NEGATIVE, field + ": negative " + text + " (must be positive)");
        if (code == ZERO) return Reply.reject(Reason.ZERO, field + ": zero (must be positive)");
        if (code == RANGE) {
            return Reply.reject(Reason.OUT_OF_RANGE, field + ": " + text + " too large (max " + Long.MAX_VALUE + ")");
        }
        return Reply.reject(Reason.NOT_A_NUMBER, field + ": not a number " + text);
    }

    private static Reply.Reject volumeError(byte[] b, int from, int to, long code, String field) {
        String text = "'" + show(b, from, to) + "'";
        if (code == NEG) return Reply.reject(Reason.NEGATIVE, field + ": negative " + text);
        if (code == INT_DIGITS) {
            return Reply.reject(
                    Reason.TOO_MANY_DIGITS,
                    field + ": " + text + " has more than " + VOLUME_INT_DIGITS + " integer digits");
        }
        if (code == FRACTION_DIGITS) {
            return Reply.reject(
                    Reason.TOO_MANY_DIGITS,
                    field + ": " + text + " has more than " + VOLUME_FRACTION_DIGITS + " decimal places (not rounded)");
        }
        return Reply.reject(Reason.NOT_A_NUMBER, field + ": not a number " + text);
    }

    private static Result invalid(Reason reason, String detail) {
        return new Result.Invalid(Reply.reject(reason, detail));
    }

    private static int fieldCount(byte[] b, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) if (b[i] == ',') n++;
        return n;
    }

    /** Printable ASCII shown as is, anything else escaped, cut at a limit: safe for replies and logs. */
    static String show(byte[] b, int from, int to) {
        var sb = new StringBuilder();
        for (int i = from; i < to && sb.length() < SHOWN_TEXT; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') sb.append((char) c);
            else sb.append(String.format("\\x%02x", c));
        }
        if (sb.length() >= SHOWN_TEXT && to - from > SHOWN_TEXT) sb.append("...");
        return sb.toString();
    }

    private static boolean allDigits(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] < '0' || b[i] > '9') return false;
        return from < to;
    }

    private static boolean isBlank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r' && b[i] != '\n') return false;
        return true;
    }

    private static boolean isAscii(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] < 0) return false;
        return true;
    }

    private static boolean isUtf8(byte[] b) {
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

    private static int skipSpace(byte[] b, int from, int to) {
        while (from < to && (b[from] == ' ' || b[from] == '\t')) from++;
        return from;
    }

    private static int trimSpace(byte[] b, int from, int to) {
        while (to > from && (b[to - 1] == ' ' || b[to - 1] == '\t')) to--;
        return to;
    }

    private static int indexOf(byte[] b, byte c, int from, int to) {
        for (int i = from; i < to; i++) if (b[i] == c) return i;
        return -1;
    }
}
