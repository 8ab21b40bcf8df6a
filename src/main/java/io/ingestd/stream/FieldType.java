package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * A field's type: how its values parse from a message's bytes, which column holds them in each database, how
 * they bind to and read back from JDBC, and how they print. Values are kept canonical (decimals at the
 * declared scale, timestamps as UTC milliseconds), so comparing stored forms compares values. There is no
 * floating point: every number is exact or rejected.
 */
public sealed interface FieldType permits Int64Type, DecimalType, TextType, BooleanType, DateType, TimestampType {

    /** The type as declared in {@code stream.X.fields}, e.g. {@code decimal(18,2)}. */
    String declaration();

    /** The column type in a {@code CREATE TABLE} for this database. */
    String sqlType(Dialect dialect);

    /** The {@link java.sql.Types} code for {@link PreparedStatement#setNull}. */
    int sqlNullType(Dialect dialect);

    /** Whether a {@link Column} keeps the values in its {@code long[]} (else in its {@code Object[]}). */
    boolean storesLong();

    /**
     * Parses the value in {@code b[from, to)} (unquoted, unescaped, not empty) into {@code column} at
     * {@code row}; returns null when it is valid, else why not, without the line and field (the codec adds
     * them). Runs for every field of every record: no exceptions, and numbers allocate nothing.
     */
    @Nullable
    Rejection parse(byte[] b, int from, int to, Column column, int row);

    /** Binds the (not NULL) value at {@code row} as parameter {@code index}. */
    void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException;

    /** Reads column {@code index} of the current row into {@code column} at {@code row}; false when it is NULL. */
    boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException;

    /** The (not NULL) value as a plain Java value: Long, BigDecimal, String, Boolean, LocalDate or Instant. */
    Object value(Column column, int row);

    /** The (not NULL) value as text that {@link #parse} reads back as the same value. */
    String format(Column column, int row);

    /** Binds the value at {@code row} or NULL: what the writer calls for each field. */
    static void bindOrNull(PreparedStatement ps, int index, Column column, int row, Dialect dialect)
            throws SQLException {
        var type = column.field().type();
        if (column.isNull(row)) ps.setNull(index, type.sqlNullType(dialect));
        else type.bind(ps, index, column, row, dialect);
    }

    /** Reads a column value or NULL into {@code column} at {@code row}. */
    static void readOrNull(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        if (!column.field().type().read(rs, index, column, row, dialect)) {
            if (!column.field().optional()) {
                throw new SQLException("column " + column.field().name() + " is NULL but the field is required");
            }
            column.setNull(row);
        }
    }
}
