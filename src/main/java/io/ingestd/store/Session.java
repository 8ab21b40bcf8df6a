package io.ingestd.store;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The database session a pooled connection is on: its server ({@code host:port}) and the server's id for the
 * session. A transaction must end on the session it began on. MariaDB Connector/J with a {@code sequential:} or
 * {@code loadbalance:} URL replaces a broken session inside the same {@link Connection} object: a statement that
 * fails there is sent again to the next host, and statements after a failure run on the new session, outside the
 * transaction whose first part died with the old one. Comparing the session before the commit makes that visible.
 */
record Session(String host, long id) {
    static final Session UNKNOWN = new Session("", 0);

    static Session of(Connection c) {
        try {
            if (c.isWrapperFor(org.mariadb.jdbc.Connection.class)) {
                var m = c.unwrap(org.mariadb.jdbc.Connection.class);
                var address = m.getClient().getHostAddress();
                return new Session(address == null ? "" : address.host + ":" + address.port, m.getThreadId());
            }
        } catch (SQLException e) {
            return UNKNOWN; // a wrapper that cannot say: the commit goes ahead as it did before this check
        }
        return UNKNOWN; // pgjdbc picks a host when it connects and never moves a connection to another one
    }
}
