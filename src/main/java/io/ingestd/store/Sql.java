package io.ingestd.store;

/** SQL text shared by all dialects, built once per distinct row count and cached by the callers. */
final class Sql {
    /** Most rows in one statement: keeps parameter counts under every driver's limit (PostgreSQL: 32767). */
    static final int CHUNK = 1000;

    private Sql() {}

    static String inList(int n) {
        var sb = new StringBuilder(n * 2 + 2).append('(');
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "?" : ",?");
        return sb.append(')').toString();
    }

    static String selectByTickets(String table, int n) {
        return "SELECT ticket, login, volume FROM " + table + " WHERE ticket IN " + inList(n);
    }

    static String claim(String table, int n) {
        return "SELECT ticket, login, volume FROM " + table + " WHERE ticket IN " + inList(n)
                + " AND status = 'N' FOR UPDATE SKIP LOCKED";
    }

    static String claimOldest(String table, int n) {
        return "SELECT ticket, login, volume FROM " + table + " WHERE status = 'N' ORDER BY ticket LIMIT " + n
                + " FOR UPDATE SKIP LOCKED";
    }

    static String markProcessed(String table, int n) {
        return "UPDATE " + table + " SET status = 'Y', processed_at = CURRENT_TIMESTAMP WHERE ticket IN "
                + inList(n) + " AND status = 'N'";
    }
}
