package io.ingestd.daemon;

import io.ingestd.ExitCode;
import io.ingestd.config.Config;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import io.ingestd.listener.Listener;
import io.ingestd.log.Logging;
import io.ingestd.log.RejectLog;
import io.ingestd.metrics.Stats;
import io.ingestd.posix.Posix;
import io.ingestd.spool.Spool;
import io.ingestd.store.Database;
import io.ingestd.store.GroupCommitWriter;
import io.ingestd.store.ProcessingStage;
import io.ingestd.store.ReplyChannel;
import io.ingestd.store.RequestQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon: starts its parts in order (config → PID lock → listener bind → database and migrations →
 * privilege drop → ready), runs until a signal, and stops them in reverse, draining every request it took.
 * Used by both {@code start} (detached) and {@code run} (foreground).
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final Stats stats = new Stats();
    private final RejectLog rejects = new RejectLog();
    private final Supervisor supervisor = new Supervisor(this::requestStop);
    private final AtomicInteger stopRequests = new AtomicInteger();
    private final Object stopSignal = new Object();
    private final Instant startedAt = Instant.now();
    private volatile Config config;
    /** The configuration the daemon started with: restart-only keys stay in effect from it until a restart. */
    private final Config started;
    /** Who may connect (ZAP); null when nothing is checked. Set by start-up before {@link #running} is published. */
    private volatile io.ingestd.listener.Admission admission;

    private volatile String lastReload = "never";
    private final AtomicInteger reloads = new AtomicInteger();
    /** What start-up opened, closed in reverse at stop (or when start-up fails half-way). Start-up thread only. */
    private final Deque<AutoCloseable> opened = new ArrayDeque<>();
    /** Null until start-up is complete, then published once; signals, control and metrics read only this. */
    private volatile Running running;

    private volatile boolean reloadRequested;
    private volatile SdNotify systemd;
    private volatile String runAs = System.getProperty("user.name");
    /** Empty, or why the daemon started degraded (the database unreachable, the spool taking messages). */
    private volatile String degraded = "";

    /** The running daemon's parts, complete and immutable. */
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
            Spool spool) {
        Running {
            writers = List.copyOf(writers);
            writerThreads = List.copyOf(writerThreads);
        }
    }

    private final List<String> configWarnings;

    public Daemon(Config config, List<String> configWarnings) {
        this.config = config;
        this.started = config;
        this.configWarnings = configWarnings;
    }

    public Stats stats() {
        return stats;
    }
    /** The last configuration loaded (reloadable keys in effect). */
    public Config config() {
        return config;
    }
    /** The configuration started with: what restart-only keys (listen, metrics.listen, paths) really are. */
    public Config started() {
        return started;
    }
    /** Restart-only keys whose loaded value differs from the one in effect. */
    public List<String> restartNeededFor() {
        return Reload.changedFixedKeys(started, config);
    }

    public Instant startedAt() {
        return startedAt;
    }
    /** The running parts; null while starting. */
    Running running() {
        return running;
    }
    /** The spool, or null when it is off (or while starting). */
    Spool spool() {
        var r = running;
        return r == null ? null : r.spool();
    }

    public String runAs() {
        return runAs;
    }

    public String lastReload() {
        return lastReload;
    }

    public int reloads() {
        return reloads.get();
    }

    /** Runs the daemon until it is told to stop; returns the process exit code. */
    public int run(Readiness readiness, boolean foreground) {
        try {
            running = start(foreground);
        } catch (StartupFailure f) {
            log.error("start-up failed ({}): {}", f.phase().label(), f.getMessage(), f.getCause());
            readiness.failed(f.phase(), f.getMessage());
            shutdownQuietly();
            return f.phase().exitCode.code();
        } catch (RuntimeException | Error e) {
            log.error("start-up failed", e);
            readiness.failed(Phase.STARTUP, io.ingestd.config.IoReason.root(e) + " (see the log for details)");
            shutdownQuietly();
            return Phase.STARTUP.exitCode.code();
        }
        String summary = "listening on " + String.join(", ", config.listen()) + ", database "
                + config.db().urlForDisplay() + degraded;
        log.info("ready (pid {}): {}", ProcessHandle.current().pid(), summary);
        readiness.ready(summary);
        systemd = SdNotify.fromEnvironment().orElse(null);
        if (reloadRequested) reload();
        var watchdog = new Watchdog(this, systemd);
        watchdog.start(supervisor);
        awaitStop();
        if (systemd != null) systemd.stopping();
        watchdog.stop();
        drain(running);
        log.info(
                "stopped: {} records acknowledged, {} retried, {} rejected messages",
                stats.recordsAcknowledged.sum(),
                stats.recordsRetried.sum(),
                stats.rejectedTotal());
        var failure = supervisor.failure();
        if (failure.isPresent()) {
            log.error("stopped because a {}; exit code {}", failure.get(), ExitCode.COMPONENT_FAILED.code());
            return ExitCode.COMPONENT_FAILED.code();
        }
        return ExitCode.OK.code();
    }

    /** Starts the parts in order, pushing each resource it opens onto {@link #opened}; returns them running. */
    private Running start(boolean foreground) throws StartupFailure {
        try {
            Files.createDirectories(config.paths().logDir());
            Files.createDirectories(config.paths().dataDir());
            FileModes.followUmask(config.paths().dataDir(), config.runAs().umask());
            FileModes.followUmask(config.paths().logDir(), config.runAs().umask());
        } catch (IOException e) {
            throw new StartupFailure(
                    Phase.CONFIG, "cannot create directory " + e.getMessage() + " (check log.dir and data.dir)", e);
        }
        try {
            Logging.configure(config.paths().logDir(), config.logLevel(), foreground);
        } catch (IllegalStateException e) {
            throw new StartupFailure(Phase.CONFIG, e.getMessage(), e);
        }
        configWarnings.forEach(w -> log.warn("config: {}", w));
        Signals.install(this);
        PidFile pidFile;
        try {
            pidFile = PidFile.acquire(config.paths().pidFile());
            opened.push(pidFile);
        } catch (PidFile.HeldException e) {
            throw new StartupFailure(Phase.LOCK, e.getMessage());
        } catch (IOException e) {
            throw new StartupFailure(
                    Phase.LOCK,
                    "cannot create or lock PID file " + config.paths().pidFile() + ": "
                            + io.ingestd.config.IoReason.of(e) + " (check pid.file and its directory's permissions)",
                    e);
        }
        var zmq = new ZContext(1);
        opened.push(zmq::close);
        Listener.SocketSetup security = Listener.SocketSetup.NONE;
        try {
            var a = io.ingestd.listener.Admission.of(zmq, config);
            if (a.isPresent()) {
                opened.push(a.get()::close);
                admission = a.get();
                security = a.get();
            }
        } catch (IOException e) {
            throw new StartupFailure(Phase.CONFIG, e.getMessage(), e);
        }
        var replies = new ReplyChannel();
        opened.push(replies);
        var queue = new RequestQueue(config.limits().queueMax(), replies::wake);
        Listener listener;
        try {
            listener = new Listener(zmq, config.listen(), limits(config), queue, replies, stats, rejects, security);
        } catch (Listener.BindException e) {
            throw new StartupFailure(Phase.BIND, e.getMessage(), e);
        }
        Spool spool = null;
        if (config.spool().enabled()) {
            spool = Spool.open(config.spool().dir(), config.spool().maxBytes());
            opened.push(spool);
        }
        String schemaId = config.db().urlForDisplay() + " table " + config.db().table();
        Database db;
        try {
            db = Database.open(config);
            opened.push(db);
            if (spool != null) spool.markMigrated(schemaId);
        } catch (Database.SchemaRefused e) {
            throw new StartupFailure(
                    Phase.DATABASE, "database " + config.db().urlForDisplay() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            if (spool == null || !spool.wasMigrated(schemaId) || !isUnreachable(e)) {
                throw new StartupFailure(
                        Phase.DATABASE,
                        "database " + config.db().urlForDisplay() + " unreachable or "
                                + "unusable: " + io.ingestd.store.SqlFailure.rootMessage(e)
                                + " (check db.url, db.user and the password, and that the "
                                + "server runs)",
                        e);
            }
            // migrated by an earlier start: take messages into the spool now, migrate and drain when it answers
            db = Database.openUnmigrated(config);
            opened.push(db);
            stats.databaseDown("unreachable since start: " + io.ingestd.store.SqlFailure.rootMessage(e));
            degraded = "; DEGRADED: the database is unreachable (" + io.ingestd.store.SqlFailure.rootMessage(e)
                    + "), messages are spooled to " + spool.dir() + " until it answers";
            log.warn(
                    "starting degraded: database {} unreachable ({}); its schema was migrated by an earlier start, "
                            + "so messages are spooled until it answers",
                    config.db().urlForDisplay(),
                    io.ingestd.store.SqlFailure.rootMessage(e));
        }
        var probe = new DatabaseProbe(db, stats);
        io.ingestd.metrics.MetricsServer metrics = null;
        if (config.metricsListen().isPresent()) {
            try {
                metrics = new io.ingestd.metrics.MetricsServer(
                        config.metricsListen().get(), stats, metricsSources());
                opened.push(metrics::close);
                if (spool != null) SpoolStatus.register(metrics, spool);
            } catch (IOException | RuntimeException e) {
                throw new StartupFailure(
                        Phase.BIND,
                        "cannot serve metrics on " + config.metricsListen().get() + ": " + e.getMessage()
                                + " (check metrics.listen, or set it to off)",
                        e);
            }
        }
        ControlServer control;
        try {
            control = new ControlServer(ControlServer.pathFor(config.paths().pidFile()), this::control);
            opened.push(control);
        } catch (IOException e) {
            throw new StartupFailure(
                    Phase.BIND,
                    "cannot create control socket next to " + config.paths().pidFile() + ": "
                            + io.ingestd.config.IoReason.of(e),
                    e);
        }
        dropPrivileges(pidFile, control, spool);
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
                spool);
    }

    private void dropPrivileges(PidFile pidFile, ControlServer control, Spool spool) throws StartupFailure {
        boolean root = Posix.geteuid() == 0;
        if (config.runAs().user().isEmpty()) {
            if (root) log.warn("running as root: set user (e.g. user=nobody) to drop privileges after start-up");
            return;
        }
        try {
            var id = PrivilegeDrop.resolve(
                    config.runAs().user().get(), config.runAs().group().orElse(null));
            if (!root && Posix.geteuid() == id.uid()) return; // already the configured user
            if (!root) {
                throw new StartupFailure(
                        Phase.PRIVILEGES,
                        "cannot switch to user " + id.user() + ": ingestd runs " + "as uid " + Posix.geteuid()
                                + ", not root (start it as root, or remove the user key)");
            }
            handOver(id, pidFile, control, spool);
            PrivilegeDrop.apply(id);
            PrivilegeDrop.verifyAllThreads(id);
            runAs = id.user();
            log.info("running as user {} (uid {}, gid {})", id.user(), id.uid(), id.gid());
        } catch (IllegalArgumentException | IllegalStateException | io.ingestd.posix.PosixException e) {
            throw new StartupFailure(Phase.PRIVILEGES, "privilege drop failed: " + e.getMessage(), e);
        }
    }

    /** Files the daemon keeps writing after the drop must belong to the user it becomes. */
    private void handOver(PrivilegeDrop.Identity id, PidFile pidFile, ControlServer control, Spool spool)
            throws StartupFailure {
        try {
            var dirs = new ArrayList<>(
                    List.of(config.paths().dataDir(), config.paths().logDir()));
            if (spool != null && !spool.dir().startsWith(config.paths().dataDir())) dirs.add(spool.dir());
            for (Path dir : dirs) {
                try (var files = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) Posix.chown(p.toString(), id.uid(), id.gid());
                }
            }
            pidFile.chown(id.uid(), id.gid());
            Posix.chown(control.path().toString(), id.uid(), id.gid());
            Path pidDir = config.paths().pidFile().getParent();
            if (!pidDir.equals(config.paths().dataDir())
                    && pidDir.startsWith(config.paths().dataDir())) {
                Posix.chown(pidDir.toString(), id.uid(), id.gid());
            }
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure(
                    Phase.PRIVILEGES,
                    "cannot hand data.dir and log.dir to user " + id.user() + ": " + e.getMessage(),
                    e);
        }
    }

    /** SIGTERM/SIGINT: the first drains, the second stops fast (answers what is queued RETRY). */
    void requestStop() {
        int n = stopRequests.incrementAndGet();
        if (n == 1) log.info("stop requested: draining");
        else {
            log.warn("second stop request: stopping fast, queued requests answered RETRY");
            var r = running;
            if (r != null) r.writers().forEach(GroupCommitWriter::stopFast);
        }
        synchronized (stopSignal) {
            stopSignal.notifyAll();
        }
    }

    private void awaitStop() {
        synchronized (stopSignal) {
            while (stopRequests.get() == 0) {
                try {
                    stopSignal.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Graceful stop: no new requests, commit and answer everything taken, finish processing, release. */
    private void drain(Running r) {
        var listener = r.listener();
        var queue = r.queue();
        var writerThreads = r.writerThreads();
        var listenerThread = r.listenerThread();
        listener.stopReading();
        awaitQuietly(
                () -> queue.isEmpty() && !listener.isHolding()
                        || writerThreads.stream().noneMatch(Thread::isAlive),
                Duration.ofMinutes(10));
        r.writers().forEach(GroupCommitWriter::stop);
        writerThreads.forEach(Daemon::joinQuietly);
        // left by writers whose threads failed: no one will write them
        GroupCommitWriter.retryAll(queue.drainAll(), "shutting down after an internal error", stats, r.replies());
        awaitQuietly(() -> listener.pendingReplies() == 0 || !listenerThread.isAlive(), Duration.ofSeconds(10));
        listener.stop();
        joinQuietly(listenerThread);
        r.processing().stop();
        joinQuietly(r.processingThread());
        shutdownQuietly();
    }

    /** Closes what start-up opened, in reverse; a failure to close one is logged and the rest still closed. */
    private void shutdownQuietly() {
        AutoCloseable c;
        while ((c = opened.poll()) != null) {
            try {
                c.close();
            } catch (Exception e) {
                log.warn("closing {} failed", c, e);
            }
        }
    }

    /** SIGHUP: re-read the configuration and apply what can change live; keep the old one on any error. */
    synchronized String reload() {
        return reload(Map.of());
    }

    /**
     * A reload with {@code --set} overrides given to {@code ingestd reload}: they join the daemon's own overrides (and
     * stay for later reloads). Restart-only keys are compared with the started configuration, so "restart needed
     * for" stays until the restart, and the running value stays in effect (and in status) meanwhile.
     */
    synchronized String reload(Map<String, String> extraOverrides) {
        var r = running;
        if (r == null) {
            // before ready: only recorded; applied once start-up is complete (it reads the file then anyway)
            reloadRequested = true;
            log.info("reload requested during start-up: applied when ready");
            return "deferred until start-up is complete";
        }
        reloadRequested = false;
        if (systemd != null) systemd.reloading();
        String outcome;
        try {
            var overrides = new java.util.LinkedHashMap<>(config.source().overrides());
            overrides.putAll(extraOverrides);
            var source = new Config.Source(
                    config.source().file(), overrides, config.source().baseDir());
            var loaded = ConfigLoader.load(
                    source,
                    Map.of(ConfigLoader.PASSWORD_ENV, config.db().password().reveal()));
            var next = loaded.config();
            var fixed = Reload.changedFixedKeys(started, next);
            if (admission != null) admission.reloadKeys();
            Logging.setLevel(next.logLevel());
            r.listener().limits(limits(next));
            r.writers()
                    .forEach(w ->
                            w.reconfigure(next.limits().batchMax(), next.db().retryWindow()));
            r.processing()
                    .reconfigure(
                            next.processing().sweepInterval(), next.processing().linger());
            config = next;
            outcome = "applied" + (fixed.isEmpty() ? "" : "; restart needed for: " + String.join(", ", fixed));
            loaded.warnings().forEach(w -> log.warn("config: {}", w));
            log.info("reload {}", outcome);
        } catch (ConfigException e) {
            outcome = "refused: " + e.getMessage() + " (the running configuration is unchanged)";
            log.error("reload {}", outcome);
        } catch (IOException | RuntimeException e) {
            outcome = "refused: " + io.ingestd.config.IoReason.root(e) + " (the running configuration is unchanged)";
            log.error("reload failed", e);
        }
        lastReload = Instant.now() + " " + outcome;
        reloads.incrementAndGet();
        if (systemd != null) systemd.ready();
        return outcome;
    }

    private io.ingestd.metrics.MetricsServer.Sources metricsSources() {
        return new io.ingestd.metrics.MetricsServer.Sources() {
            @Override
            public int queueRecords() {
                return running == null ? 0 : running.queue().records();
            }

            @Override
            public long backlog() {
                return Daemon.this.backlog();
            }

            @Override
            public int poolActive() {
                return running == null ? 0 : running.db().activeConnections();
            }

            @Override
            public int poolTotal() {
                return running == null ? 0 : running.db().totalConnections();
            }

            @Override
            public io.ingestd.metrics.MetricsServer.Health health() {
                return Daemon.this.health();
            }
        };
    }

    /** Healthy when the database answers and the listener, writers and processing come round their loops. */
    io.ingestd.metrics.MetricsServer.Health health() {
        var failure = supervisor.failure();
        if (failure.isPresent()) return new io.ingestd.metrics.MetricsServer.Health(false, failure.get());
        if (stopRequests.get() > 0) return new io.ingestd.metrics.MetricsServer.Health(false, "stopping");
        var r = running;
        if (r == null) return new io.ingestd.metrics.MetricsServer.Health(false, "starting");
        String refusal = r.spool() == null ? null : r.spool().recentRefusal();
        if (refusal != null) return new io.ingestd.metrics.MetricsServer.Health(false, refusal);
        if (stats.isDatabaseDown()) {
            if (r.spool() != null) {
                return new io.ingestd.metrics.MetricsServer.Health(
                        true,
                        "degraded: database unavailable, " + "acknowledging from the spool: " + stats.lastError());
            }
            return new io.ingestd.metrics.MetricsServer.Health(false, "database unavailable: " + stats.lastError());
        }
        long now = System.nanoTime();
        if (now - r.listener().heartbeatNanos() > TimeUnit.SECONDS.toNanos(5)) {
            return new io.ingestd.metrics.MetricsServer.Health(false, "listener stalled");
        }
        long writerLimit = config.db().networkTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
        for (var w : r.writers()) {
            if (now - w.heartbeatNanos() > writerLimit)
                return new io.ingestd.metrics.MetricsServer.Health(false, "writer stalled");
        }
        if (isProcessingStalled(r, now))
            return new io.ingestd.metrics.MetricsServer.Health(false, "processing stalled");
        return new io.ingestd.metrics.MetricsServer.Health(true, "");
    }

    long backlog() {
        return running == null ? -1 : running.probe().backlog();
    }

    double ackRate() {
        return running == null ? 0 : running.probe().ackRate();
    }

    /** Answers the control channel: {@code status} (JSON) or {@code status-text}. */
    private String control(String request) {
        if (running == null) {
            long pid = ProcessHandle.current().pid();
            return switch (request) {
                case "status" -> "{\"state\":\"starting\",\"pid\":" + pid + "}";
                case "status-text" -> "ingestd is starting (pid " + pid + ")";
                default -> "error: unknown request '" + request + "' (status, status-text)";
            };
        }
        return switch (request) {
            case "status" -> StatusReport.json(StatusReport.collect(this));
            case "status-text" -> StatusReport.text(StatusReport.collect(this));
            case String q when q.startsWith("reload ") -> reload(ReloadRequest.overrides(q));
            default -> "error: unknown request '" + request + "' (status, status-text, reload K=V...)";
        };
    }

    /** SIGUSR1: logrotate moved the files; open new ones. */
    void reopenLogs() {
        Logging.reopen();
        log.info("log files reopened");
    }

    private static Listener.Limits limits(Config c) {
        return new Listener.Limits(
                c.limits().maxMessageBytes(),
                c.limits().maxMessageRecords(),
                c.limits().maxPendingPerPeer());
    }

    /**
     * The database did not answer (connection refused or lost, timeout), as opposed to answering no (a wrong
     * password, a missing database, a failed migration): only the former may start degraded on the spool.
     */
    private static boolean isUnreachable(Throwable e) {
        boolean unreachable = false;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (!(t instanceof java.sql.SQLException sql)) continue;
            String state = sql.getSQLState();
            if (state != null && (state.startsWith("28") || state.startsWith("3D") || state.startsWith("42")))
                return false;
            if (GroupCommitWriter.isAvailabilityError(sql)) unreachable = true;
        }
        return unreachable;
    }

    private static void awaitQuietly(java.util.function.BooleanSupplier done, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (!done.getAsBoolean() && System.nanoTime() < end) {
            try {
                TimeUnit.MILLISECONDS.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void joinQuietly(Thread t) {
        if (t == null) return;
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Listener, writers and processing came round their loops recently: the condition for systemd watchdog pings. */
    boolean isMakingProgress(long withinNanos) {
        var r = running;
        if (r == null) return false;
        long now = System.nanoTime();
        if (now - r.listener().heartbeatNanos() > withinNanos) return false;
        for (var w : r.writers()) if (now - w.heartbeatNanos() > withinNanos) return false;
        return !isProcessingStalled(r, now);
    }

    /** Against its own, longer limit: a FeeProcessor may take its time with a batch. */
    private boolean isProcessingStalled(Running r, long now) {
        return now - r.processing().heartbeatNanos()
                > r.processing().stallLimitNanos(config.db().networkTimeout());
    }
}
