package io.ingestd.cli;

import io.ingestd.config.Config;
import io.ingestd.config.IoReason;
import io.ingestd.listener.Admission;
import io.ingestd.posix.UserDb;
import io.ingestd.store.Database;
import org.zeromq.SocketType;
import org.zeromq.ZContext;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
        writableProblem("log.dir", c.paths().logDir(), "ingestd could not open its logs")
                .ifPresent(problems::add);
        var dataDir = writableProblem("data.dir", c.paths().dataDir(), "ingestd could not keep its files");
        dataDir.ifPresent(problems::add);
        identityProblems(c, problems);
        Path pidDir = c.paths().pidFile().toAbsolutePath().getParent();
        if (pidDir != null) {
            writableProblem("pid.file", pidDir, "ingestd could not take its lock")
                    .ifPresent(problems::add);
        }
        DriverManager.setLoginTimeout(3);
        // H2 writes its errors to a trace file beside the database, or as a stack trace to stderr when it cannot:
        // the probe says what failed in one line instead
        String url = c.db().url().startsWith("jdbc:h2:") && !c.db().url().contains("TRACE_LEVEL_FILE")
                ? c.db().url() + ";TRACE_LEVEL_FILE=0"
                : c.db().url();
        try (var conn = dataDir.isPresent() && url.startsWith("jdbc:h2:")
                ? null // its files would be in the data.dir just found unusable: one line says it
                : DriverManager.getConnection(url, props)) {
            if (conn != null) {
                conn.isValid(3);
                Database.tableProblem(conn, c.db().table()).ifPresent(p -> problems.add("db.table: " + p));
            }
        } catch (SQLException e) {
            String msg = io.ingestd.store.SqlFailure.describe(e);
            problems.add("db.url: cannot connect to " + c.db().urlForDisplay() + ": "
                    + msg.replace(
                            c.db().password().reveal().isEmpty()
                                    ? "\0"
                                    : c.db().password().reveal(),
                            "***"));
        }
        if (c.spool().enabled()) {
            writableProblem("spool.dir", c.spool().dir(), "outages would be answered RETRY")
                    .ifPresent(problems::add);
        }
        metricsProblem(c).ifPresent(problems::add);
        try (var ctx = new ZContext(1)) {
            Admission.of(ctx, c).ifPresent(Admission::close);
        } catch (IOException e) {
            problems.add(String.valueOf(e.getMessage())); // names the key and the file, as start says it
        } catch (RuntimeException e) {
            problems.add(IoReason.root(e));
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

    /**
     * What would make a directory unusable, tried for real and undone: a file is made and removed in the directory,
     * or the missing directories are made and removed again (permission bits say little to root: /proc passes them).
     */
    static Optional<String> writableProblem(String key, Path dir, String consequence) {
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
            return Optional.of(key + ": " + dir + " cannot be used: " + IoReason.of(e) + " (" + consequence
                    + "; choose a writable directory)");
        }
    }

    /** The user and group start would become or check (the same lookups as start's). */
    private static void identityProblems(Config c, List<String> problems) {
        c.runAs().user().ifPresent(u -> {
            if (UserDb.user(u).isEmpty()) problems.add("user: user \"" + u + "\" does not exist");
        });
        c.runAs().group().ifPresent(g -> {
            if (UserDb.group(g).isEmpty()) problems.add("group: group \"" + g + "\" does not exist");
        });
    }

    /** metrics.listen must differ from every listen address and be free to bind. */
    private static Optional<String> metricsProblem(Config c) {
        if (c.metricsListen().isEmpty()) return Optional.empty();
        String m = c.metricsListen().get();
        for (String ep : c.listen()) {
            if (ep.endsWith("//" + m) || ep.equals("tcp://" + m)) {
                return Optional.of(
                        "metrics.listen: " + m + " is also a listen address; give metrics a port of its own");
            }
        }
        int colon = m.lastIndexOf(':');
        try (var s = new ServerSocket()) {
            s.bind(new InetSocketAddress(
                    m.substring(0, colon).replaceAll("^\\[|\\]$", ""), Integer.parseInt(m.substring(colon + 1))));
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.of("metrics.listen: cannot bind " + m + ": "
                    + (e instanceof java.net.BindException
                            ? "address in use (is ingestd already running? see: " + "ingestd status)"
                            : IoReason.root(e)));
        }
    }
}
