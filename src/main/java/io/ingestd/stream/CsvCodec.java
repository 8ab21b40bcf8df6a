package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * CSV per RFC 4180, one record per line, fields in declaration order: a field may be quoted (then it may
 * hold commas, doubled quotes and line breaks); records end with LF or CRLF, a last line break is optional.
 * An unquoted empty field is NULL (the trailing optional fields may be left out too) and a quoted empty
 * field an empty text, as PostgreSQL's COPY reads them. Spaces and tabs around a non-text value are
 * ignored, as the fee stream always has. Works on the message's bytes; only texts become Strings.
 */
public final class CsvCodec implements RecordCodec {
    private final Stream stream;
    private final Field[] fields;
    private final String expected;

    public CsvCodec(Stream stream) {
        this.stream = stream;
        this.fields = stream.fields().toArray(Field[]::new);
        this.expected =
                String.join(",", stream.fields().stream().map(Field::name).toList());
    }

    @Override
    public Decoded decode(byte[] body, int maxRecords) {
        if (Bytes.isBlank(body, 0, body.length))
            return invalid(Problem.EMPTY, "empty message (expected " + expected + ")");
        if (!Bytes.isUtf8(body)) return invalid(Problem.NOT_UTF8, "message is not valid UTF-8");
        int end = body.length;
        if (body[end - 1] == '\n') end--;
        if (end > 0 && body[end - 1] == '\r') end--;
        int lines = Bytes.count(body, (byte) '\n', 0, end) + 1;
        // without quotes a line is a record, so the count is known before parsing (and exact in the reply)
        boolean quoted = Bytes.indexOf(body, (byte) '"', 0, end) >= 0;
        if (!quoted && lines > maxRecords) {
            return invalid(Problem.TOO_MANY_RECORDS, "too many records: " + lines + " (max " + maxRecords + ")");
        }
        var reader = new Reader(body, end, stream.newBatch(Math.min(lines, maxRecords)));
        while (reader.pos <= end) {
            if (reader.batch.size() == maxRecords) {
                return invalid(Problem.TOO_MANY_RECORDS, "too many records: more than " + maxRecords);
            }
            var error = reader.record();
            if (error != null) return new Decoded.Invalid(error);
        }
        return new Decoded.Parsed(reader.batch);
    }

    private static Decoded invalid(Problem problem, String detail) {
        return new Decoded.Invalid(new Rejection(problem, detail));
    }

    /** The state of one decode: where it is in the message and which line that is. */
    private final class Reader {
        final byte[] b;
        final int end;
        final Batch batch;
        int pos;
        int line = 1;
        byte[] scratch = new byte[0];

        Reader(byte[] b, int end, Batch batch) {
            this.b = b;
            this.end = end;
            this.batch = batch;
        }

        /** One record from {@code pos}; leaves {@code pos} after its line break (past {@code end} at the last). */
        @Nullable
        Rejection record() {
            int startLine = line;
            if (pos == end || b[pos] == '\n' || (b[pos] == '\r' && (pos + 1 == end || b[pos + 1] == '\n'))) {
                return new Rejection(Problem.EMPTY, "line " + startLine + ": empty line");
            }
            int row = batch.nextRow();
            Rejection firstError = null;
            int count = 0;
            while (true) {
                var error = field(count, row);
                // a broken quote leaves no sensible place to go on from
                if (error != null && error.problem() == Problem.MALFORMED) return error.at(where(startLine));
                if (firstError == null) firstError = error;
                count++;
                if (pos < end && b[pos] == ',') {
                    pos++;
                    continue;
                }
                pos++; // the line break, or past the end
                line++;
                break;
            }
            // a wrong count says more than the value that happens to sit in a shifted field
            if (count > fields.length) return fieldCount(startLine, count);
            for (int k = count; k < fields.length; k++) if (!fields[k].optional()) return fieldCount(startLine, count);
            if (firstError != null) return firstError.at(where(startLine));
            for (int k = count; k < fields.length; k++) batch.column(k).setNull(row);
            batch.commitRecord();
            return null;
        }

        /** Built only for a rejection: a String per record would be the parser's only allocation. */
        private static String where(int line) {
            return "line " + line + ": ";
        }

        private String named(int k) {
            return (k < fields.length ? fields[k].name() : "field " + (k + 1)) + ": ";
        }

        private Rejection fieldCount(int line, int count) {
            return new Rejection(
                    Problem.FIELD_COUNT,
                    where(line) + "expected " + fields.length + " fields " + expected + ", got " + count);
        }

        /** Field {@code k} from {@code pos}; leaves {@code pos} at the comma, line break or end after it. */
        private @Nullable Rejection field(int k, int row) {
            if (pos < end && b[pos] == '"') return quoted(k, row);
            int from = pos;
            while (pos < end && b[pos] != ',' && b[pos] != '\n') {
                if (b[pos] == '"') {
                    return new Rejection(
                            Problem.MALFORMED, named(k) + "a quote inside an unquoted field (quote the whole field)");
                }
                pos++;
            }
            int to = pos > from && b[pos - 1] == '\r' && (pos == end || b[pos] == '\n') ? pos - 1 : pos;
            return k < fields.length ? store(k, row, b, from, to, false) : null;
        }

        private @Nullable Rejection quoted(int k, int row) {
            int out = 0;
            int i = pos + 1;
            while (true) {
                if (i >= end) return new Rejection(Problem.MALFORMED, named(k) + "unterminated quoted field");
                byte c = b[i++];
                if (c == '"') {
                    if (i < end && b[i] == '"') i++;
                    else break;
                }
                if (c == '\n') line++;
                if (scratch.length == out) scratch = Arrays.copyOf(scratch, Math.max(64, out * 2));
                scratch[out++] = c;
            }
            pos = i;
            boolean atEnd = pos == end || b[pos] == ',' || b[pos] == '\n';
            if (!atEnd && b[pos] == '\r' && (pos + 1 == end || b[pos + 1] == '\n')) {
                pos++;
                atEnd = true;
            }
            if (!atEnd) return new Rejection(Problem.MALFORMED, named(k) + "text after the closing quote");
            return k < fields.length ? store(k, row, scratch, 0, out, true) : null;
        }

        private @Nullable Rejection store(int k, int row, byte[] v, int from, int to, boolean quoted) {
            var field = fields[k];
            var column = batch.column(k);
            boolean empty = from == to;
            // only a text tells a quoted empty value (an empty text) from nothing (NULL)
            if (empty && !(quoted && field.type() instanceof TextType)) {
                if (!field.optional()) return new Rejection(Problem.MISSING, named(k) + "empty (required)");
                column.setNull(row);
                return null;
            }
            var error = field.type().parse(v, from, to, column, row);
            return error == null ? null : error.at(named(k));
        }
    }

    @Override
    public byte[] encode(Batch batch) {
        var sb = new StringBuilder();
        for (int row = 0; row < batch.size(); row++) {
            if (row > 0) sb.append('\n');
            for (int k = 0; k < fields.length; k++) {
                if (k > 0) sb.append(',');
                var column = batch.column(k);
                if (column.isNull(row)) continue;
                String text = fields[k].type().format(column, row);
                if (fields[k].type() instanceof TextType && needsQuotes(text)) {
                    sb.append('"').append(text.replace("\"", "\"\"")).append('"');
                } else {
                    sb.append(text);
                }
            }
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** An empty text is quoted so it does not read back as NULL; spaces matter only around non-text values. */
    private static boolean needsQuotes(String text) {
        if (text.isEmpty()) return true;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ',' || c == '"' || c == '\n' || c == '\r') return true;
        }
        return false;
    }
}
