package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** {@code true} or {@code false} (exactly these words; 1/0 and yes/no are ambiguous across senders). */
public record BooleanType() implements FieldType {
    public static final BooleanType INSTANCE = new BooleanType();

    @Override
    public String declaration() {
        return "boolean";
    }

    @Override
    public String sqlType(Dialect dialect) {
        return "BOOLEAN";
    }

    @Override
    public int sqlNullType(Dialect dialect) {
        return Types.BOOLEAN;
    }

    @Override
    public boolean storesLong() {
        return true;
    }

    @Override
    public @Nullable Rejection parse(byte[] b, int from, int to, Column column, int row) {
        int f = Bytes.skipSpace(b, from, to);
        int t = Bytes.trimSpace(b, f, to);
        if (is(b, f, t, "true")) column.setLong(row, 1);
        else if (is(b, f, t, "false")) column.setLong(row, 0);
        else return new Rejection(Problem.NOT_A_VALUE, Bytes.show(b, from, to) + " is not true or false");
        return null;
    }

    private static boolean is(byte[] b, int from, int to, String word) {
        if (to - from != word.length()) return false;
        for (int i = 0; i < word.length(); i++) if (b[from + i] != word.charAt(i)) return false;
        return true;
    }

    @Override
    public void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException {
        ps.setBoolean(index, column.longAt(row) != 0);
    }

    @Override
    public boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        boolean v = rs.getBoolean(index);
        if (rs.wasNull()) return false;
        column.setLong(row, v ? 1 : 0);
        return true;
    }

    @Override
    public Object value(Column column, int row) {
        return column.longAt(row) != 0;
    }

    @Override
    public String format(Column column, int row) {
        return column.longAt(row) != 0 ? "true" : "false";
    }
}
