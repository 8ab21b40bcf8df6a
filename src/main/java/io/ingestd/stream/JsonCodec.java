package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * JSON records: one object per record, one per line in a message of several, fields by name. Numeric fields
 * take a number or a string, booleans {@code true}/{@code false} (or those strings), the others a string;
 * {@code null}, an empty string or a missing key is NULL. A key that names no field is refused unless the
 * stream says {@code unknown-fields = ignore}. Hand-written over the bytes (no JSON library), so numbers go
 * from the message to the field types without a String, as in CSV.
 */
public final class JsonCodec implements RecordCodec {
    private final Field[] fields;
    private final byte[][] names;
    private final boolean ignoreUnknown;

    public JsonCodec(Stream stream) {
        this.fields = stream.fields().toArray(Field[]::new);
        this.names = new byte[fields.length][];
        for (int i = 0; i < fields.length; i++) names[i] = fields[i].name().getBytes(StandardCharsets.US_ASCII);
        this.ignoreUnknown = stream.unknownFields() == Stream.UnknownFields.IGNORE;
    }

    @Override
    public Decoded decode(byte[] body, int maxRecords) {
        if (Bytes.isBlank(body, 0, body.length)) {
            return invalid(Problem.EMPTY, "empty message (expected one JSON object per record)");
        }
        if (!Bytes.isUtf8(body)) return invalid(Problem.NOT_UTF8, "message is not valid UTF-8");
        int lines = Bytes.count(body, (byte) '\n', 0, body.length) + 1;
        var batch = new Batch(Arrays.asList(fields), Math.min(lines, maxRecords));
        var in = new JsonReader(body);
        var seen = new boolean[fields.length];
        in.skipSpace();
        while (!in.atEnd()) {
            if (batch.size() == maxRecords) {
                return invalid(Problem.TOO_MANY_RECORDS, "too many records: more than " + maxRecords);
            }
            int line = in.line;
            Arrays.fill(seen, false);
            var error = record(in, batch, seen);
            // the line is named only on a rejection: a String per record would be the parser's only allocation
            if (error != null) return new Decoded.Invalid(error.at("line " + line + ": "));
            if (!in.atLineEnd()) return invalid(Problem.MALFORMED, "line " + line + ": a record must end its line");
            in.skipSpace();
        }
        return new Decoded.Parsed(batch);
    }

    private @Nullable Rejection record(JsonReader in, Batch batch, boolean[] seen) {
        if (!in.consume('{')) return malformed("expected a JSON object");
        int row = batch.nextRow();
        in.skipSpace();
        if (!in.consume('}')) {
            while (true) {
                in.skipSpace();
                if (in.atEnd() || in.peek() != '"') return malformed("expected a key in quotes");
                if (!in.string()) return malformed(in.error);
                int k = fieldOf(in.buf, in.from, in.to);
                String key = k >= 0 ? fields[k].name() : "";
                if (k < 0 && !ignoreUnknown) {
                    return new Rejection(Problem.UNKNOWN_FIELD, "unknown field " + Bytes.show(in.buf, in.from, in.to));
                }
                in.skipSpace();
                if (!in.consume(':')) return malformed("expected : after a key");
                in.skipSpace();
                if (k < 0) {
                    if (!in.skipValue(0)) return malformed(in.error);
                } else {
                    if (seen[k]) return new Rejection(Problem.DUPLICATE_FIELD, "duplicate field " + key);
                    seen[k] = true;
                    var error = value(in, batch.column(k), row);
                    if (error != null) return error;
                }
                in.skipSpace();
                if (in.consume('}')) break;
                if (!in.consume(',')) return malformed("expected , or } after " + (k < 0 ? "a value" : key));
            }
        }
        for (int k = 0; k < fields.length; k++) {
            if (seen[k]) continue;
            if (!fields[k].optional()) return new Rejection(Problem.MISSING, fields[k].name() + ": missing (required)");
            batch.column(k).setNull(row);
        }
        batch.commitRecord();
        return null;
    }

    private static @Nullable Rejection value(JsonReader in, Column column, int row) {
        var type = column.field().type();
        if (in.atEnd()) return malformed(named(column) + "a value is missing");
        byte c = in.peek();
        if (c == '"') {
            if (!in.string()) return malformed(named(column) + in.error);
            if (in.from == in.to && !(type instanceof TextType)) return absent(column, row, "empty");
            return parse(type, in, column, row);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            if (!in.number()) return malformed(named(column) + in.error);
            if (!(type instanceof Int64Type || type instanceof DecimalType || type instanceof TimestampType)) {
                return new Rejection(
                        Problem.NOT_A_VALUE, named(column) + "expected " + expected(type) + ", got a number");
            }
            return parse(type, in, column, row);
        }
        if (in.literal("null")) return absent(column, row, "null");
        boolean isTrue = in.literal("true");
        if (isTrue || in.literal("false")) {
            if (!(type instanceof BooleanType)) {
                return new Rejection(
                        Problem.NOT_A_VALUE, named(column) + "expected " + expected(type) + ", got " + isTrue);
            }
            column.setLong(row, isTrue ? 1 : 0);
            return null;
        }
        if (c == '{' || c == '[') {
            return new Rejection(
                    Problem.NOT_A_VALUE, named(column) + "expected " + expected(type) + ", got an object or array");
        }
        return malformed(named(column) + "not a JSON value");
    }

    private static @Nullable Rejection parse(FieldType type, JsonReader in, Column column, int row) {
        var error = type.parse(in.buf, in.from, in.to, column, row);
        return error == null ? null : error.at(named(column));
    }

    private static @Nullable Rejection absent(Column column, int row, String what) {
        if (!column.field().optional()) return new Rejection(Problem.MISSING, named(column) + what + " (required)");
        column.setNull(row);
        return null;
    }

    private static String expected(FieldType type) {
        return switch (type) {
            case Int64Type _, DecimalType _ -> "a number";
            case BooleanType _ -> "true or false";
            case TimestampType _ -> "a timestamp string or epoch milliseconds";
            case TextType _, DateType _ -> "a string";
        };
    }

    private static Decoded invalid(Problem problem, String detail) {
        return new Decoded.Invalid(new Rejection(problem, detail));
    }

    private static Rejection malformed(String why) {
        return new Rejection(Problem.MALFORMED, why);
    }

    private static String named(Column column) {
        return column.field().name() + ": ";
    }

    private int fieldOf(byte[] b, int from, int to) {
        for (int k = 0; k < names.length; k++) {
            if (Arrays.equals(names[k], 0, names[k].length, b, from, to)) return k;
        }
        return -1;
    }

    @Override
    public byte[] encode(Batch batch) {
        var sb = new StringBuilder();
        for (int row = 0; row < batch.size(); row++) {
            if (row > 0) sb.append('\n');
            sb.append('{');
            boolean first = true;
            for (int k = 0; k < fields.length; k++) {
                var column = batch.column(k);
                if (column.isNull(row)) continue;
                if (!first) sb.append(',');
                first = false;
                sb.append('"').append(fields[k].name()).append("\":");
                var type = fields[k].type();
                String text = type.format(column, row);
                switch (type) {
                    case Int64Type _, DecimalType _, BooleanType _ -> sb.append(text);
                    default -> quote(sb, text);
                }
            }
            sb.append('}');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        sb.append('"');
    }
}
