package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.LocalDate;

/** A calendar date {@code yyyy-mm-dd} (years 0001 to 9999), kept as its epoch day. */
public record DateType() implements FieldType {
    public static final DateType INSTANCE = new DateType();

    @Override
    public String declaration() {
        return "date";
    }

    @Override
    public String sqlType(Dialect dialect) {
        return "DATE";
    }

    @Override
    public int sqlNullType(Dialect dialect) {
        return Types.DATE;
    }

    @Override
    public boolean storesLong() {
        return true;
    }

    @Override
    public @Nullable Rejection parse(byte[] b, int from, int to, Column column, int row) {
        int f = Bytes.skipSpace(b, from, to);
        int t = Bytes.trimSpace(b, f, to);
        long day = t - f == 10 ? Civil.epochDay(b, f) : Long.MIN_VALUE;
        if (day == Long.MIN_VALUE) {
            return new Rejection(Problem.NOT_A_VALUE, Bytes.show(b, from, to) + " is not a date (yyyy-mm-dd)");
        }
        column.setLong(row, day);
        return null;
    }

    @Override
    public void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException {
        ps.setObject(index, LocalDate.ofEpochDay(column.longAt(row)));
    }

    @Override
    public boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        var v = rs.getObject(index, LocalDate.class);
        if (v == null) return false;
        column.setLong(row, v.toEpochDay());
        return true;
    }

    @Override
    public Object value(Column column, int row) {
        return LocalDate.ofEpochDay(column.longAt(row));
    }

    @Override
    public String format(Column column, int row) {
        return LocalDate.ofEpochDay(column.longAt(row)).toString();
    }
}
