package io.ingestd.daemon;

import io.ingestd.config.Config;
import io.ingestd.config.IoReason;
import io.ingestd.listener.Admission;
import io.ingestd.listener.ConnectionGuard;
import io.ingestd.listener.Listener;
import io.ingestd.log.Logging;
import io.ingestd.log.RejectLog;
import io.ingestd.metrics.MetricsServer;
import io.ingestd.metrics.Stats;
import io.ingestd.posix.PosixException;
import io.ingestd.spool.Spool;
import io.ingestd.store.Database;
import io.ingestd.store.GroupCommitWriter;
import io.ingestd.store.ProcessingStage;
import io.ingestd.store.ReplyChannel;
import io.ingestd.store.RequestQueue;
import io.ingestd.store.SqlErrors;
import io.ingestd.store.SqlFailure;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The start-up sequence (config → PID lock → listener bind → spool → database and migrations → metrics and control
 * → privilege drop → threads): each step pushes what it opened onto a stack, and {@link #run} returns the parts as
 * one immutable {@link Running}. A failed step throws {@link StartupFailure} with its phase; {@link #close} then
 * (and at stop) closes the stack in reverse. Runs on the daemon's main thread only.
 */
final class Startup implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Startup.class);

    /** What the parts of a running daemon need from the daemon itself. */
    interface Host {
        /** Where signals go. */
        Daemon signalTarget();

        /** Answers a control request. */
        String control(String request);

        /** What {@code /metrics} and {@code /health} read. */
        MetricsServer.Sources metricsSources();
    }

    /** The running daemon's parts, complete and immutable; published once start-up is complete. */
    record Running(
            Listener listener,
            Thread listenerThread,
            RequestQueue queue,
            ReplyChannel replies,
            List<GroupCommitWriter> writers,
            List<Thread> writerThreads,
            ProcessingStage processing,
            Thread processingThread,
            Database db,
            DatabaseProbe probe,
            @Nullable Spool spool,
            @Nullable Admission admission,
            @Nullable MetricsServer metrics,
            String runAs,
            String degraded,
            String warnings) {
        Running {
            writers = List.copyOf(writers);
            writerThreads = List.copyOf(writerThreads);
        }
    }

    private final Config config;
    private final List<String> configWarnings;
    private final Stats stats;
    private final RejectLog rejects;
    private final Supervisor supervisor;
    private final Host host;
    /** What start-up opened, closed in reverse at stop (or when start-up fails half-way). */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();

    Startup(
            Config config,
            List<String> configWarnings,
            Stats stats,
            RejectLog rejects,
            Supervisor supervisor,
            Host host) {
        this.config = config;
        this.configWarnings = configWarnings;
        this.stats = stats;
        this.rejects = rejects;
        this.supervisor = supervisor;
        this.host = host;
    }

    /**
     * Starts the parts in order, pushing each resource it opens onto the stack; returns them running. As root, only
     * what needs root comes before the privilege drop: the directories (made and handed over without following a
     * link), the PID lock, the secrets (read with the configuration and the CURVE keys), and the binds, which may be
     * to privileged ports. Every file the daemon writes (logs, spool, H2, control socket) is created after the drop,
     * by the user it runs as.
     */
    Running run(boolean foreground) throws StartupFailure {
        Logging.bufferStartup(config.logLevel(), foreground);
        var runAs = RunAs.decide(config);
        Signals.install(host.signalTarget());
        prepareDirectories(runAs);
        lockPidFile(runAs);
        var zmq = new ZContext(1);
        opened.push(zmq);
        Admission admission = admission(zmq);
        var replies = new ReplyChannel();
        opened.push(replies);
        var queue = new RequestQueue(config.limits().queueMax(), replies::wake);
        Listener listener;
        try {
            listener = new Listener(
                    zmq,
                    config.listen(),
                    limits(config),
                    queue,
                    replies,
                    stats,
                    rejects,
                    admission == null ? Listener.SocketSetup.NONE : admission);
        } catch (Listener.BindException e) {
            throw new StartupFailure(Phase.BIND, e.getMessage(), e);
        }
        @Nullable MetricsServer metrics = metrics(listener);
        String runAsName = dropPrivileges(runAs);
        logging(foreground);
        configWarnings.forEach(w -> log.warn("config: {}", w));
        runAs.warnings().forEach(w -> log.warn("{}", w));
        var notices = new ArrayList<>(runAs.warnings());
        @Nullable Spool spool = null;
        if (config.spool().enabled()) {
            spool = Spool.open(config.spool().dir(), config.spool().maxBytes());
            opened.push(spool);
            if (metrics != null) SpoolStatus.register(metrics, spool);
            if (spool.unusable() != null) {
                notices.add("spool unusable: " + spool.unusable() + "; while the database is away, messages are "
                        + "answered RETRY (check spool.dir)");
            }
        }
        var degraded = new StringBuilder();
        Database db = openDatabase(spool, degraded);
        var probe = new DatabaseProbe(db, stats);
        ControlServer control = control(runAs);
        control.start(supervisor);
        var processing = new ProcessingStage(
                db,
                stats,
                config.processing().sweepInterval(),
                config.processing().linger(),
                config.processing().inline());
        var writers = new ArrayList<GroupCommitWriter>();
        var writerThreads = new ArrayList<Thread>();
        for (int i = 0; i < config.db().writers(); i++) {
            var w = new GroupCommitWriter(
                    db,
                    queue,
                    replies,
                    processing,
                    stats,
                    rejects,
                    config.limits().batchMax(),
                    config.db().retryWindow());
            if (spool != null) w.spoolTo(spool);
            writers.add(w);
            writerThreads.add(supervisor.start("writer-" + i, w, w::failed));
        }
        var processingThread = supervisor.start("processing", processing, Supervisor.OnFailure.NOTHING_HELD);
        var listenerThread = supervisor.start("listener", listener, Supervisor.OnFailure.NOTHING_HELD);
        supervisor.startBackground("connections", listener.connections());
        opened.push(listener.connections());
        probe.start(supervisor);
        opened.push(probe::stop);
        if (metrics != null) metrics.start();
        return new Running(
                listener,
                listenerThread,
                queue,
                replies,
                writers,
                writerThreads,
                processing,
                processingThread,
                db,
                probe,
                spool,
                admission,
                metrics,
                runAsName,
                degraded.toString(),
                notices.stream().map(w -> "; WARNING: " + w).collect(Collectors.joining()));
    }

    /** Closes what start-up opened, in reverse; a failure to close one is logged and the rest still closed. */
    @Override
    public void close() {
        AutoCloseable c;
        while ((c = opened.poll()) != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c, e);
            }
        }
    }

    static Listener.Limits limits(Config c) {
        return new Listener.Limits(
                c.limits().maxMessageBytes(),
                c.limits().maxMessageRecords(),
                c.limits().maxPendingPerPeer(),
                new ConnectionGuard.Limits(
                        c.limits().maxConnections(), c.limits().maxConnectionsPerIp()));
    }

    /** The daemon's directories, made ready as root for the user it becomes (see {@link DirectoryHandover}). */
    private void prepareDirectories(RunAs runAs) throws StartupFailure {
        var dirs = new ArrayList<DirectoryHandover.Dir>();
        dirs.add(new DirectoryHandover.Dir(config.paths().dataDir(), "data.dir"));
        dirs.add(new DirectoryHandover.Dir(config.paths().logDir(), "log.dir"));
        if (config.spool().enabled())
            dirs.add(new DirectoryHandover.Dir(config.spool().dir(), "spool.dir"));
        Path pidDir = config.paths().pidFile().toAbsolutePath().getParent();
        // the PID file's directory also holds the control socket, which the daemon creates after the drop
        if (pidDir != null) dirs.add(new DirectoryHandover.Dir(pidDir, "pid.file"));
        var handover = new DirectoryHandover(runAs.target(), config.runAs().umask());
        for (var d : dirs) {
            // the PID file's directory fails as the lock does: without it there is no single-instance guard
            Phase phase = d.key().equals("pid.file") ? Phase.LOCK : Phase.CONFIG;
            try {
                handover.prepare(d);
            } catch (DirectoryHandover.Refused e) {
                throw new StartupFailure(phase, e.getMessage(), e);
            } catch (IOException e) {
                // a spool directory that cannot be made stops nothing: the spool says it is unusable (start,
                // status, /health), and outages are answered RETRY; one that is unsafe (Refused) stops the start
                if (d.key().equals("spool.dir")) continue;
                throw new StartupFailure(
                        phase, d.key() + ": cannot create directory " + d.path() + ": " + IoReason.of(e), e);
            }
        }
    }

    private void logging(boolean foreground) throws StartupFailure {
        try {
            Logging.configure(
                    config.paths().logDir(),
                    config.logLevel(),
                    foreground,
                    config.paths().rotateLogs());
            if (!config.paths().rotateLogs())
                rejects.writesTo(config.paths().logDir().resolve(Logging.REJECT_FILE));
        } catch (IllegalStateException e) {
            throw new StartupFailure(Phase.CONFIG, e.getMessage(), e);
        }
    }

    /** Takes the single-instance lock; the stack holds the file until stop. */
    private void lockPidFile(RunAs runAs) throws StartupFailure {
        try {
            var target = runAs.target();
            PidFile pidFile = PidFile.acquire(config.paths().pidFile(), target == null ? 0 : target.uid());
            opened.push(pidFile);
        } catch (PidFile.HeldException e) {
            throw new StartupFailure(Phase.LOCK, e.getMessage());
        } catch (IOException e) {
            throw new StartupFailure(
                    Phase.LOCK,
                    "cannot create or lock PID file " + config.paths().pidFile() + ": " + IoReason.of(e)
                            + " (check pid.file and its directory's permissions)",
                    e);
        }
    }

    /** Who may connect (ZAP); null when nothing is checked. */
    private @Nullable Admission admission(ZContext zmq) throws StartupFailure {
        try {
            var a = Admission.of(zmq, config);
            if (a.isEmpty()) return null;
            opened.push(a.get());
            return a.get();
        } catch (IOException e) {
            throw new StartupFailure(Phase.CONFIG, e.getMessage(), e);
        }
    }

    /**
     * Opens and migrates the database. If it does not answer but an earlier start migrated its schema (the spool's
     * marker says so), starts degraded: messages go to the spool until it answers, and {@code degraded} says why.
     */
    private Database openDatabase(@Nullable Spool spool, StringBuilder degraded) throws StartupFailure {
        String schemaId = config.db().urlForDisplay() + " table " + config.db().table();
        try {
            Database db = Database.open(config);
            opened.push(db);
            if (spool != null) spool.markMigrated(schemaId);
            return db;
        } catch (Database.SchemaRefused e) {
            throw new StartupFailure(
                    Phase.DATABASE, "database " + config.db().urlForDisplay() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (spool == null || !spool.wasMigrated(schemaId) || !SqlErrors.isUnreachable(e)) {
                throw new StartupFailure(
                        Phase.DATABASE,
                        "database " + config.db().urlForDisplay() + " unreachable or unusable: "
                                + SqlFailure.rootMessage(e)
                                + " (check db.url, db.user and the password, and that the server runs)",
                        e);
            }
            Database db = Database.openUnmigrated(config);
            opened.push(db);
            stats.databaseDown("unreachable since start: " + SqlFailure.rootMessage(e));
            degraded.append("; DEGRADED: the database is unreachable (")
                    .append(SqlFailure.rootMessage(e))
                    .append("), messages are spooled to ")
                    .append(spool.dir())
                    .append(" until it answers");
            log.warn(
                    "starting degraded: database {} unreachable ({}); its schema was migrated by an earlier start, "
                            + "so messages are spooled until it answers",
                    config.db().urlForDisplay(),
                    SqlFailure.rootMessage(e));
            return db;
        }
    }

    /** The metrics and health endpoint, bound now and started last; null when {@code metrics.listen} is off. */
    private @Nullable MetricsServer metrics(Listener listener) throws StartupFailure {
        if (config.metricsListen().isEmpty()) return null;
        try {
            var metrics = new MetricsServer(config.metricsListen().get(), stats, host.metricsSources());
            opened.push(metrics);
            metrics.counter(
                    "ingestd.rejects.log.suppressed",
                    "lines about rejected messages left out of rejects.log (rate limit, or the file over its size)",
                    rejects::suppressed);
            var connections = listener.connections();
            metrics.gauge("ingestd.connections.open", "client connections open", connections::open);
            metrics.counter(
                    "ingestd.connections.refused",
                    "client connections closed at connect: listen.max-connections or -per-ip reached",
                    connections::refused);
            return metrics;
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure(
                    Phase.BIND,
                    "cannot serve metrics on " + config.metricsListen().get() + ": " + e.getMessage()
                            + " (check metrics.listen, or set it to off)",
                    e);
        }
    }

    private ControlServer control(RunAs runAs) throws StartupFailure {
        try {
            var control = new ControlServer(
                    ControlServer.pathFor(config.paths().pidFile()), host::control, runAs.controlAccess());
            opened.push(control);
            return control;
        } catch (IOException e) {
            throw new StartupFailure(
                    Phase.BIND,
                    "cannot create control socket next to " + config.paths().pidFile() + ": " + IoReason.of(e)
                            + " (the PID file's directory must be writable by the user ingestd runs as)",
                    e);
        }
    }

    /** Becomes the user {@link RunAs} chose (as root); returns who the daemon runs as. */
    private static String dropPrivileges(RunAs runAs) throws StartupFailure {
        var id = runAs.target();
        if (id == null) return System.getProperty("user.name");
        try {
            PrivilegeDrop.apply(id);
            PrivilegeDrop.verifyAllThreads(id);
            log.info("running as user {} (uid {}, gid {})", id.user(), id.uid(), id.gid());
            return id.user();
        } catch (IllegalStateException | PosixException e) {
            throw new StartupFailure(Phase.PRIVILEGES, "privilege drop failed: " + e.getMessage(), e);
        }
    }
}
