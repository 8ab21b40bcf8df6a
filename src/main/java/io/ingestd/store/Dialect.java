package io.ingestd.store;

import io.ingestd.config.DatabaseKind;

import java.util.List;
import java.util.stream.Stream;

/** What differs between the supported databases: the idempotent insert and the migration scripts. */
enum Dialect {
    MARIADB("mariadb", "V1__create_table.sql", "V2__redundant_row_format.sql", "V3__claims.sql"),
    POSTGRESQL("postgresql", "V1__create_table.sql", "V2__claims.sql"),
    H2("h2", "V1__create_table.sql", "V2__claims.sql");

    /** Flyway's location of the scripts. */
    final String migrations;
    /** The scripts' resource names, in order (a test checks them against the folder). */
    @SuppressWarnings("ImmutableEnumChecker") // Stream.toList() is unmodifiable
    final List<String> scripts;

    Dialect(String folder, String... scripts) {
        this.migrations = "classpath:db/migration/" + folder;
        this.scripts =
                Stream.of(scripts).map(s -> "db/migration/" + folder + "/" + s).toList();
    }

    static Dialect of(String jdbcUrl) {
        var kind = DatabaseKind.of(jdbcUrl)
                .orElseThrow(() -> new IllegalArgumentException(
                        "unsupported database URL " + DatabaseKind.withoutParameters(jdbcUrl)));
        return switch (kind) {
            case MARIADB -> MARIADB;
            case POSTGRESQL -> POSTGRESQL;
            case H2 -> H2;
        };
    }

    /**
     * A multi-row insert of {@code rows} records that skips tickets already stored and returns the number of
     * rows it inserted: one statement per chunk instead of one round trip per record. With {@code processed},
     * rows go in as 'Y' at once: when the processing step does nothing, the commit is the processing. Every row
     * goes in claimed by {@code node} (its {@code claimed_at} defaults to the insert's time).
     */
    String insertIgnore(String table, int rows, boolean processed, long node) {
        String cols =
                processed ? " (ticket, login, volume, claim, status, processed_at)" : " (ticket, login, volume, claim)";
        String extra = "," + node + (processed ? ",'Y'," + now() : "");
        var sb = new StringBuilder(64 + rows * (12 + extra.length()));
        switch (this) {
            case MARIADB ->
                sb.append("INSERT IGNORE INTO ").append(table).append(cols).append(" VALUES ");
            case POSTGRESQL ->
                sb.append("INSERT INTO ").append(table).append(cols).append(" VALUES ");
            case H2 -> sb.append("MERGE INTO ").append(table).append(" t USING (VALUES ");
        }
        for (int i = 0; i < rows; i++) {
            if (i > 0) sb.append(',');
            if (this == H2)
                sb.append(i == 0 ? "(CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS DECIMAL(18,4)))" : "(?,?,?)");
            else sb.append("(?,?,?").append(extra).append(')');
        }
        switch (this) {
            case MARIADB -> {}
            case POSTGRESQL -> sb.append(" ON CONFLICT (ticket) DO NOTHING");
            case H2 ->
                sb.append(") s(ticket, login, volume) ON t.ticket = s.ticket WHEN NOT MATCHED THEN INSERT")
                        .append(cols)
                        .append(" VALUES (s.ticket, s.login, s.volume")
                        .append(extra)
                        .append(')');
        }
        return sb.toString();
    }

    /**
     * Whether the 'N' to 'Y' update may name runs of tickets as ranges. Only MariaDB's optimizer was seen to take
     * the primary key for them; H2 (on a table it has no statistics for) scans the status index instead, every
     * row still 'N' for each statement (13,000 records/s), so PostgreSQL and H2 get plain ticket lists.
     */
    boolean updatesByRange() {
        return this == MARIADB;
    }

    /** The database's time {@code seconds} ago (every node of a cluster reads the same clock for a lease). */
    String secondsAgo(long seconds) {
        return "(" + now() + " - INTERVAL '" + seconds + "' SECOND)";
    }

    /** The current time at the precision of the table's timestamp columns. */
    String now() {
        return this == MARIADB ? "CURRENT_TIMESTAMP(3)" : "CURRENT_TIMESTAMP";
    }
}
