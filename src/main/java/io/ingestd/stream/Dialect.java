package io.ingestd.stream;

import java.util.Locale;

/** The SQL databases a stream is written to; each field type declares, binds and reads its column per dialect. */
public enum Dialect {
    MARIADB,
    POSTGRESQL,
    H2;

    /**
     * A column or table name as SQL: quoted, because a field may well be called {@code time}, {@code day} or
     * {@code key}; folded to the case the database gives unquoted names (H2 upper, the others lower), so SQL
     * written by hand without quotes still finds the column. Names are validated identifiers, so nothing escapes.
     */
    public String quote(String identifier) {
        return switch (this) {
            case MARIADB -> "`" + identifier.toLowerCase(Locale.ROOT) + "`";
            case POSTGRESQL -> "\"" + identifier.toLowerCase(Locale.ROOT) + "\"";
            case H2 -> "\"" + identifier.toUpperCase(Locale.ROOT) + "\"";
        };
    }
}
