package io.ingestd.store;

import java.sql.SQLException;

/** The one way a database failure is put into words for logs, {@code status} and start-up errors. */
public final class SqlFailure {
    private static final int MAX = 200;

    private SqlFailure() {}

    /** SQLState and the first line of the driver's message, with the pool's timeout replaced by its cause. */
    public static String describe(SQLException e) {
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : firstLine(e.getMessage());
        if (msg.contains("Connection is not available")) {
            // the pool's timeout says nothing an operator can act on; the last connection failure does
            Throwable root = root(e);
            String why = root != e && root.getMessage() != null ? firstLine(root.getMessage()) : "";
            msg = "no database connection" + (why.isEmpty() ? " (none could be opened in time)" : ": " + why);
        }
        if (msg.length() > MAX) msg = msg.substring(0, MAX) + "...";
        return (e.getSQLState() == null ? "" : "SQLState " + e.getSQLState() + ": ") + msg;
    }

    /** As {@link #describe(SQLException)}; anything else unexpected by its type and first line. */
    public static String describe(Throwable e) {
        return describe(e instanceof SQLException s ? s : new SQLException(e));
    }

    /** The first line of the innermost cause: what a pool or Flyway wrapped, which is what went wrong. */
    public static String rootMessage(Throwable e) {
        Throwable t = root(e);
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return firstLine(m);
    }

    private static Throwable root(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    private static String firstLine(String s) {
        return s.strip().lines().findFirst().orElse("");
    }
}
