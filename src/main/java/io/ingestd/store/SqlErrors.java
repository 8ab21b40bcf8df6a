package io.ingestd.store;

import java.sql.SQLException;

/**
 * What a database failure means for ingestd, in one place: the database is away (spool, retry, start degraded),
 * it refused the data (isolate the message), it rolled back a conflict (repeat), it answered no (refuse to start),
 * or this node cannot serve (evict the session). By SQLState class first, the driver's exception type and error
 * code where drivers disagree on the state, and the message only for the pool's and drivers' known texts.
 */
public final class SqlErrors {
    private SqlErrors() {}

    /**
     * The database is away, not the statement wrong: connection errors (SQLState class 08, the pool's "connection
     * not available"), timeouts, a read-only server (25006, a failover in progress), an administrator shutdown
     * (57P01, 57P03).
     */
    public static boolean isAvailability(SQLException e) {
        if (isData(e)) return false;
        if (e instanceof java.sql.SQLTransientConnectionException
                || e instanceof java.sql.SQLNonTransientConnectionException
                || e instanceof java.sql.SQLTimeoutException
                || e instanceof java.sql.SQLRecoverableException) return true;
        String state = e.getSQLState();
        if (state != null
                && (state.startsWith("08")
                        || state.equals("25006")
                        || state.equals("HYT00")
                        || state.equals("57P01")
                        || state.equals("57P03"))) return true;
        String msg = String.valueOf(e.getMessage());
        return msg.contains("Connection is not available")
                || msg.contains("gone away")
                || msg.contains("read-only")
                || msg.contains("read only")
                || msg.contains("Lost connection");
    }

    /** About the data rather than the connection (classes 22 and 23): worth isolating, not worth retrying as is. */
    public static boolean isData(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /** A certification conflict (Galera) or deadlock: the transaction was rolled back, repeating it is right. */
    public static boolean isConflict(SQLException e) {
        return "40001".equals(e.getSQLState()) || e.getErrorCode() == 1213;
    }

    /**
     * This session's node cannot serve: the connection failed or moved, or a Galera node is not ready or not in the
     * primary component (error 1047, SQLSTATE 08S01).
     */
    public static boolean isNodeUnavailable(SQLException e) {
        String state = e.getSQLState();
        return (state != null && (state.startsWith("08") || state.equals("25S03"))) || e.getErrorCode() == 1047;
    }

    /**
     * The database answered no: a wrong password (28), a missing database (3D), a statement it refuses (42); as
     * opposed to not answering. Only a database that did not answer may start ingestd degraded on its spool.
     */
    public static boolean isRefusal(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("28") || state.startsWith("3D") || state.startsWith("42"));
    }

    /** Anywhere in the cause chain: the database did not answer, and nothing in the chain says it answered no. */
    public static boolean isUnreachable(Throwable e) {
        boolean unreachable = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (!(t instanceof SQLException sql)) continue;
            if (isRefusal(sql)) return false;
            if (isAvailability(sql)) unreachable = true;
        }
        return unreachable;
    }
}
