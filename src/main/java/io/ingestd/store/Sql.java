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

    /**
     * The given tickets still 'N' that this node's claim holds, and not near the claim's expiry (older rows are
     * left to a take-over, so this node's processing never races another node's; {@link ProcessingStage}).
     */
    static String claim(String table, int n, long node, String notBefore) {
        return "SELECT ticket, login, volume FROM " + table + " WHERE ticket IN " + inList(n)
                + " AND status = 'N' AND claim = " + node + " AND claimed_at > " + notBefore
                + " FOR UPDATE SKIP LOCKED";
    }

    /**
     * Up to {@code n} rows still 'N' under this node's claim, in the status index's order (on MariaDB that is ticket
     * order). No ORDER BY: H2 and PostgreSQL sort every 'N' row for it, each chunk (H2, 500,000 rows 'N': 454 ms a
     * chunk against 6 ms).
     */
    static String claimOwn(String table, int n, long node, String notBefore) {
        return "SELECT ticket, login, volume FROM " + table + " WHERE status = 'N' AND claim = " + node
                + " AND claimed_at > " + notBefore + " LIMIT " + n + " FOR UPDATE SKIP LOCKED";
    }

    /** Up to {@code n} rows still 'N' whose claim is older than {@code expiredBefore}: their node is gone or stuck. */
    static String expiredClaims(String table, int n, String expiredBefore) {
        return "SELECT ticket FROM " + table + " WHERE status = 'N' AND claimed_at < " + expiredBefore + " LIMIT " + n
                + " FOR UPDATE SKIP LOCKED";
    }

    /** Moves the claim of {@code n} tickets still 'N' to this node: a write, so a Galera cluster certifies it. */
    static String takeOver(String table, int n, long node, String now) {
        return "UPDATE " + table + " SET claim = " + node + ", claimed_at = " + now + " WHERE ticket IN " + inList(n)
                + " AND status = 'N'";
    }

    /**
     * Marks sorted, distinct tickets 'Y': {@code singles} single tickets, then {@code ranges} runs of consecutive
     * tickets bound as first and last. A run is one range lookup for the database instead of one per ticket (on
     * MariaDB, 1,000-ticket runs: 148,000 against 198,000 rows/s), and trading servers number tickets in order.
     */
    static String markProcessed(String table, int singles, int ranges, String now) {
        var sb = new StringBuilder(128 + singles * 2 + ranges * 28)
                .append("UPDATE ")
                .append(table)
                .append(" SET status = 'Y', processed_at = ")
                .append(now)
                .append(" WHERE (");
        if (singles > 0) sb.append("ticket IN ").append(inList(singles));
        for (int i = 0; i < ranges; i++)
            sb.append(singles > 0 || i > 0 ? " OR " : "").append("ticket BETWEEN ? AND ?");
        return sb.append(") AND status = 'N'").toString();
    }
}
