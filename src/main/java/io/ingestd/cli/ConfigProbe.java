package io.ingestd.cli;

import io.ingestd.config.Config;
import io.ingestd.config.IoReason;
import org.zeromq.SocketType;
import org.zeromq.ZContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
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
        if (c.spool().enabled()) spoolProblem(c.spool().dir()).ifPresent(problems::add);
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

    /**
     * What would make the spool unusable, tried for real and undone: a file is made and removed in the directory,
     * or the missing directories are made and removed again (permission bits say little to root: /proc passes them).
     */
    static Optional<String> spoolProblem(Path dir) {
        Path existing = dir.toAbsolutePath();
        var missing = new ArrayDeque<Path>();
        while (existing != null && !Files.exists(existing)) {
            missing.push(existing);
            existing = existing.getParent();
        }
        try {
            if (missing.isEmpty()) {
                Files.delete(Files.createTempFile(dir, ".check-config", ""));
            } else {
                Files.createDirectories(dir);
                while (!missing.isEmpty()) Files.delete(missing.removeLast());
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("spool.dir: " + dir + " cannot be used: " + IoReason.of(e)
                    + " (outages would be answered RETRY; choose a writable directory)");
        }
    }
}
