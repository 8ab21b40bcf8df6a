package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

/** A table, optionally schema-qualified ({@code backoffice.deal}); both parts are SQL identifiers. */
public record TableName(@Nullable String schema, String table) {

    /** As declared in {@code stream.X.table}. */
    public String qualified() {
        return schema == null ? table : schema + "." + table;
    }

    @Override
    public String toString() {
        return qualified();
    }
}
