package io.ingestd.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The few statements ingestd runs on Flyway's history table itself: to tell whether it records a migration that
 * was applied, and to remove what a failed start left. Flyway's column names are lower case and quoted on H2; its success flag compares
 * with TRUE on all three (a number on MariaDB, a boolean on PostgreSQL and H2).
 */
final class SchemaHistory {
    private SchemaHistory() {}

    /** Whether the history records at least one successful migration (not only the baseline or failures). */
    static boolean hasAppliedMigration(Connection c, String history) throws SQLException {
        String sql = "SELECT COUNT(*) FROM " + quote(c, history) + " WHERE " + quote(c, "type") + " = 'SQL' AND "
                + quote(c, "success") + " = TRUE";
        try (var st = c.createStatement();
                var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }

    /** Deletes the rows of failed migrations (what Flyway's repair does on databases without transactional DDL). */
    static int removeFailed(Connection c, String history) throws SQLException {
        try (var st = c.createStatement()) {
            int n = st.executeUpdate("DELETE FROM " + quote(c, history) + " WHERE " + quote(c, "success") + " <> TRUE");
            c.commit();
            return n;
        }
    }

    static boolean isEmpty(Connection c, String table) throws SQLException {
        try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM " + quote(c, table))) {
            rs.next();
            return rs.getLong(1) == 0;
        }
    }

    static void drop(Connection c, String table) throws SQLException {
        try (var st = c.createStatement()) {
            st.execute("DROP TABLE " + quote(c, table));
            c.commit();
        }
    }

    static String quote(Connection c, String name) throws SQLException {
        String q = c.getMetaData().getIdentifierQuoteString().strip();
        return q + name + q;
    }
}
