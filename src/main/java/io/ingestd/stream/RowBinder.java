package io.ingestd.stream;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Walks a batch's fields to bind one record to a statement's parameters, or to read one result row back into a
 * batch (Kafka Connect's {@code PreparedStatementBinder}): the writer and the re-send check name no field.
 */
public final class RowBinder {
    private RowBinder() {}

    /** Binds record {@code row}'s fields, in declaration order, to parameters {@code first, first + 1, ...}. */
    public static void bind(PreparedStatement ps, int first, Batch batch, int row, Dialect dialect)
            throws SQLException {
        for (int f = 0; f < batch.fields().size(); f++) {
            FieldType.bindOrNull(ps, first + f, batch.column(f), row, dialect);
        }
    }

    /** Adds the current row of {@code rs}, whose columns {@code first, first + 1, ...} are the fields, to {@code batch}. */
    public static void read(ResultSet rs, int first, Batch batch, Dialect dialect) throws SQLException {
        int row = batch.nextRow();
        for (int f = 0; f < batch.fields().size(); f++) {
            FieldType.readOrNull(rs, first + f, batch.column(f), row, dialect);
        }
        batch.commitRecord();
    }

    /** The columns of a {@code CREATE TABLE} for the stream's fields: {@code `ticket` BIGINT NOT NULL, ...}. */
    public static String columnDefinitions(Stream stream, Dialect dialect) {
        var sb = new StringBuilder();
        for (var field : stream.fields()) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(dialect.quote(field.name()))
                    .append(' ')
                    .append(field.type().sqlType(dialect));
            if (!field.optional()) sb.append(" NOT NULL");
        }
        return sb.toString();
    }
}
