package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/**
 * UTF-8 text of at most {@code length} characters (code points, as VARCHAR(n) counts them in all three
 * databases) without control characters, which have no place in a column and break logs and CSV re-sends.
 */
public record TextType(int length) implements FieldType {
    /** MariaDB's VARCHAR holds at most 16,383 utf8mb4 characters; the smallest limit of the three databases. */
    public static final int MAX_LENGTH = 16_383;

    public TextType {
        if (length < 1 || length > MAX_LENGTH) throw new IllegalArgumentException("text(" + length + ")");
    }

    @Override
    public String declaration() {
        return "text(" + length + ")";
    }

    @Override
    public String sqlType(Dialect dialect) {
        return "VARCHAR(" + length + ")";
    }

    @Override
    public int sqlNullType(Dialect dialect) {
        return Types.VARCHAR;
    }

    @Override
    public boolean storesLong() {
        return false;
    }

    /** The bytes are valid UTF-8 (the codecs check each message once), so a character is a non-continuation byte. */
    @Override
    public @Nullable Rejection parse(byte[] b, int from, int to, Column column, int row) {
        int chars = 0;
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            if (c < 0x20 || c == 0x7f) return control(c);
            // U+0080..U+009F (the C1 controls) are 0xC2 0x80..0x9F in UTF-8
            if (c == 0xc2 && i + 1 < to && (b[i + 1] & 0xff) <= 0x9f) return control(b[i + 1] & 0xff);
            if ((c & 0xc0) != 0x80 && ++chars > length) {
                return new Rejection(Problem.BAD_TEXT, "longer than " + length + " characters");
            }
        }
        column.setObject(row, new String(b, from, to - from, StandardCharsets.UTF_8));
        return null;
    }

    private static Rejection control(int codePoint) {
        return new Rejection(Problem.BAD_TEXT, String.format("contains the control character U+%04X", codePoint));
    }

    @Override
    public void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException {
        ps.setString(index, (String) column.objectAt(row));
    }

    @Override
    public boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        var v = rs.getString(index);
        if (v == null) return false;
        column.setObject(row, v);
        return true;
    }

    @Override
    public Object value(Column column, int row) {
        return column.objectAt(row);
    }

    @Override
    public String format(Column column, int row) {
        return (String) column.objectAt(row);
    }
}
