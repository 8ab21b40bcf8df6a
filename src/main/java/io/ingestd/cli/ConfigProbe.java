package io.ingestd.cli;

import io.ingestd.config.Config;
import org.zeromq.SocketType;
import org.zeromq.ZContext;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/** The checks of check-config beyond syntax: can the database be reached, can the listen addresses be bound. */
final class ConfigProbe {
    private ConfigProbe() {}

    static List<String> probe(Config c) {
        var problems = new ArrayList<String>();
        var props = new Properties();
        if (!c.db().user().isEmpty()) props.setProperty("user", c.db().user());
        if (!c.db().password().isEmpty())
            props.setProperty("password", c.db().password().reveal());
        DriverManager.setLoginTimeout(3);
        try (var conn = DriverManager.getConnection(c.db().url(), props)) {
            conn.isValid(3);
        } catch (SQLException e) {
            String msg = io.ingestd.store.SqlFailure.describe(e);
            problems.add("db.url: cannot connect to " + c.db().urlForDisplay() + ": "
                    + msg.replace(
                            c.db().password().reveal().isEmpty()
                                    ? "\0"
                                    : c.db().password().reveal(),
                            "***"));
        }
        try (var ctx = new ZContext(1);
                var s = ctx.createSocket(SocketType.ROUTER)) {
            s.setLinger(0);
            for (String ep : c.listen()) {
                try {
                    s.bind(ep);
                    s.unbind(ep);
                } catch (org.zeromq.ZMQException e) {
                    problems.add("listen: cannot bind " + ep + ": "
                            + (e.getErrorCode() == zmq.ZError.EADDRINUSE
                                    ? "address in use (is ingestd already running? see: ingestd status)"
                                    : e.getMessage()));
                }
            }
        }
        return problems;
    }
}
