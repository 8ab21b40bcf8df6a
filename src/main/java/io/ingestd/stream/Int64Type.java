package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

/** A signed 64-bit integer ({@code int64}), optionally with a least value ({@code int64 >= 1}). */
public record Int64Type(long min) implements FieldType {
    public static final Int64Type ANY = new Int64Type(Long.MIN_VALUE);

    @Override
    public String declaration() {
        return min == Long.MIN_VALUE ? "int64" : "int64 >= " + min;
    }

    @Override
    public String sqlType(Dialect dialect) {
        return "BIGINT";
    }

    @Override
    public int sqlNullType(Dialect dialect) {
        return Types.BIGINT;
    }

    @Override
    public boolean storesLong() {
        return true;
    }

    @Override
    public @Nullable Rejection parse(byte[] b, int from, int to, Column column, int row) {
        int f = Bytes.skipSpace(b, from, to);
        int t = Bytes.trimSpace(b, f, to);
        boolean negative = f < t && b[f] == '-';
        int i = negative ? f + 1 : f;
        if (!Bytes.allDigits(b, i, t)) return invalid(b, from, to, "is not an integer");
        // accumulated negatively, because Long.MIN_VALUE has no positive counterpart
        long v = 0;
        for (; i < t; i++) {
            int d = b[i] - '0';
            if (v < (Long.MIN_VALUE + d) / 10) return outOfRange(b, from, to);
            v = v * 10 - d;
        }
        if (!negative) {
            if (v == Long.MIN_VALUE) return outOfRange(b, from, to);
            v = -v;
        }
        if (v < min) {
            return new Rejection(Problem.OUT_OF_RANGE, Bytes.show(b, from, to) + " is less than the minimum " + min);
        }
        column.setLong(row, v);
        return null;
    }

    private static Rejection invalid(byte[] b, int from, int to, String why) {
        return new Rejection(Problem.NOT_A_VALUE, Bytes.show(b, from, to) + " " + why);
    }

    private static Rejection outOfRange(byte[] b, int from, int to) {
        return new Rejection(Problem.OUT_OF_RANGE, Bytes.show(b, from, to) + " is out of range for int64");
    }

    @Override
    public void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException {
        ps.setLong(index, column.longAt(row));
    }

    @Override
    public boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        long v = rs.getLong(index);
        if (rs.wasNull()) return false;
        column.setLong(row, v);
        return true;
    }

    @Override
    public Object value(Column column, int row) {
        return column.longAt(row);
    }

    @Override
    public String format(Column column, int row) {
        return Long.toString(column.longAt(row));
    }
}
