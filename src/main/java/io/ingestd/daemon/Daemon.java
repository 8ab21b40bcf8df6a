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
import io.ingestd.store.Database;
import io.ingestd.store.GroupCommitWriter;
import io.ingestd.store.ProcessingStage;
import io.ingestd.store.ReplyChannel;
import io.ingestd.store.RequestQueue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZContext;

/**
 * The daemon: starts its parts in order (config → PID lock → listener bind → database and migrations →
 * privilege drop → ready), runs until a signal, and stops them in reverse, draining every request it took.
 * Used by both {@code start} (detached) and {@code run} (foreground).
 */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);

    private final Stats stats = new Stats();
    private final RejectLog rejects = new RejectLog();
    private final AtomicInteger stopRequests = new AtomicInteger();
    private final Object stopSignal = new Object();
    private final List<Thread> writerThreads = new ArrayList<>();
    private final List<GroupCommitWriter> writers = new ArrayList<>();
    private final Instant startedAt = Instant.now();
    private volatile Config config;
    /** The configuration the daemon started with: restart-only keys stay in effect from it until a restart. */
    private final Config started;
    private volatile String lastReload = "never";
    private final AtomicInteger reloads = new AtomicInteger();
    private PidFile pidFile;
    private ZContext zmq;
    private Listener listener;
    private RequestQueue queue;
    private ReplyChannel replies;
    private Database db;
    private ProcessingStage processing;
    private Thread listenerThread;
    private Thread processingThread;
    private SdNotify systemd;
    private ControlServer control;
    private io.ingestd.listener.Admission admission;
    private io.ingestd.metrics.MetricsServer metrics;
    private DatabaseProbe probe;
    private String runAs = System.getProperty("user.name");

    private final List<String> configWarnings;

    public Daemon(Config config, List<String> configWarnings) {
        this.config = config;
        this.started = config;
        this.configWarnings = configWarnings;
    }

    public Stats stats() { return stats; }
    /** The last configuration loaded (reloadable keys in effect). */
    public Config config() { return config; }
    /** The configuration started with: what restart-only keys (listen, metrics.listen, paths) really are. */
    public Config started() { return started; }
    /** Restart-only keys whose loaded value differs from the one in effect. */
    public List<String> restartNeededFor() { return Reload.changedFixedKeys(started, config); }
    public Instant startedAt() { return startedAt; }
    public Listener listener() { return listener; }
    public Database database() { return db; }
    public RequestQueue queue() { return queue; }
    public String runAs() { return runAs; }
    public String lastReload() { return lastReload; }
    public int reloads() { return reloads.get(); }

    /** Runs the daemon until it is told to stop; returns the process exit code. */
    public int run(Readiness readiness, boolean foreground) {
        try {
            start(foreground);
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
        String summary = "listening on " + String.join(", ", config.listen()) + ", database " + config.db().urlForDisplay();
        log.info("ready (pid {}): {}", ProcessHandle.current().pid(), summary);
        readiness.ready(summary);
        systemd = SdNotify.fromEnvironment().orElse(null);
        var watchdog = new Watchdog(this, systemd);
        watchdog.start();
        awaitStop();
        if (systemd != null) systemd.stopping();
        watchdog.stop();
        drain();
        log.info("stopped: {} records acknowledged, {} retried, {} rejected messages",
                stats.recordsAcknowledged.sum(), stats.recordsRetried.sum(), stats.rejectedTotal());
        return ExitCode.OK.code();
    }

    private void start(boolean foreground) throws StartupFailure {
        try {
            Files.createDirectories(config.paths().logDir());
            Files.createDirectories(config.paths().dataDir());
            FileModes.followUmask(config.paths().dataDir(), config.runAs().umask());
            FileModes.followUmask(config.paths().logDir(), config.runAs().umask());
        } catch (IOException e) {
            throw new StartupFailure(Phase.CONFIG, "cannot create or prepare directory " + e.getMessage() + ": "
                    + io.ingestd.config.IoReason.of(e) + " (check log.dir and data.dir)", e);
        }
        try {
            Logging.configure(config.paths().logDir(), config.logLevel(), foreground);
        } catch (IllegalStateException e) {
            throw new StartupFailure(Phase.CONFIG, e.getMessage(), e);
        }
        configWarnings.forEach(w -> log.warn("config: {}", w));
        Signals.install(this);
        try {
            pidFile = PidFile.acquire(config.paths().pidFile());
        } catch (PidFile.HeldException e) {
            throw new StartupFailure(Phase.LOCK, e.getMessage());
        } catch (IOException e) {
            throw new StartupFailure(Phase.LOCK, "cannot create or lock PID file " + config.paths().pidFile() + ": " + io.ingestd.config.IoReason.of(e)
                    + " (check pid.file and its directory's permissions)", e);
        }
        zmq = new ZContext(1);
        Listener.SocketSetup security = Listener.SocketSetup.NONE;
        try {
            admission = io.ingestd.listener.Admission.of(zmq, config).orElse(null);
            if (admission != null) security = admission;
        } catch (IOException e) {
            throw new StartupFailure(Phase.CONFIG, e.getMessage(), e);
        }
        try {
            replies = new ReplyChannel();
            queue = new RequestQueue(config.limits().queueMax(), replies::wake);
            listener = new Listener(zmq, config.listen(), limits(config), queue, replies, stats, rejects, security);
        } catch (Listener.BindException e) {
            throw new StartupFailure(Phase.BIND, e.getMessage(), e);
        }
        try {
            db = Database.open(config);
        } catch (Database.TableConflict e) {
            throw new StartupFailure(Phase.DATABASE, "database " + config.db().urlForDisplay() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new StartupFailure(Phase.DATABASE, "database " + config.db().urlForDisplay() + " unreachable or "
                    + "unusable: " + rootMessage(e) + " (check db.url, db.user and the password, and that the "
                    + "server runs)", e);
        }
        probe = new DatabaseProbe(db, stats);
        if (config.metricsListen().isPresent()) {
            try {
                metrics = new io.ingestd.metrics.MetricsServer(config.metricsListen().get(), stats, metricsSources());
            } catch (IOException | RuntimeException e) {
                throw new StartupFailure(Phase.BIND, "cannot serve metrics on " + config.metricsListen().get() + ": "
                        + e.getMessage() + " (check metrics.listen, or set it to off)", e);
            }
        }
        try {
            control = new ControlServer(ControlServer.pathFor(config.paths().pidFile()), this::control);
        } catch (IOException e) {
            throw new StartupFailure(Phase.BIND, "cannot create control socket next to " + config.paths().pidFile() + ": " + io.ingestd.config.IoReason.of(e), e);
        }
        dropPrivileges();
        control.start();
        processing = new ProcessingStage(db, stats, config.processing().sweepInterval(), config.processing().linger(), config.processing().inline());
        for (int i = 0; i < config.db().writers(); i++) {
            var w = new GroupCommitWriter(db, queue, replies, processing, stats, rejects,
                    config.limits().batchMax(), config.db().retryWindow());
            writers.add(w);
            writerThreads.add(Thread.ofPlatform().name("writer-" + i).start(w));
        }
        processingThread = Thread.ofPlatform().name("processing").start(processing);
        listenerThread = Thread.ofPlatform().name("listener").start(listener);
        probe.start();
        if (metrics != null) metrics.start();
    }

    private void dropPrivileges() throws StartupFailure {
        boolean root = Posix.geteuid() == 0;
        if (config.runAs().user().isEmpty()) {
            if (root) log.warn("running as root: set user (e.g. user=nobody) to drop privileges after start-up");
            return;
        }
        try {
            var id = PrivilegeDrop.resolve(config.runAs().user().get(), config.runAs().group().orElse(null));
            if (!root && Posix.geteuid() == id.uid()) return; // already the configured user
            if (!root) {
                throw new StartupFailure(Phase.PRIVILEGES, "cannot switch to user " + id.user() + ": ingestd runs "
                        + "as uid " + Posix.geteuid() + ", not root (start it as root, or remove the user key)");
            }
            handOver(id);
            PrivilegeDrop.apply(id);
            PrivilegeDrop.verifyAllThreads(id);
            runAs = id.user();
            log.info("running as user {} (uid {}, gid {})", id.user(), id.uid(), id.gid());
        } catch (IllegalArgumentException | IllegalStateException | io.ingestd.posix.PosixException e) {
            throw new StartupFailure(Phase.PRIVILEGES, "privilege drop failed: " + e.getMessage(), e);
        }
    }

    /** Files the daemon keeps writing after the drop must belong to the user it becomes. */
    private void handOver(PrivilegeDrop.Identity id) throws StartupFailure {
        try {
            for (Path dir : List.of(config.paths().dataDir(), config.paths().logDir())) {
                try (var files = Files.walk(dir)) {
                    for (Path p : (Iterable<Path>) files::iterator) Posix.chown(p.toString(), id.uid(), id.gid());
                }
            }
            pidFile.chown(id.uid(), id.gid());
            Posix.chown(control.path().toString(), id.uid(), id.gid());
            Path pidDir = config.paths().pidFile().getParent();
            if (!pidDir.equals(config.paths().dataDir()) && pidDir.startsWith(config.paths().dataDir())) {
                Posix.chown(pidDir.toString(), id.uid(), id.gid());
            }
        } catch (IOException | RuntimeException e) {
            throw new StartupFailure(Phase.PRIVILEGES, "cannot hand data.dir and log.dir to user " + id.user()
                    + ": " + e.getMessage(), e);
        }
    }

    /** SIGTERM/SIGINT: the first drains, the second stops fast (answers what is queued RETRY). */
    void requestStop() {
        int n = stopRequests.incrementAndGet();
        if (n == 1) log.info("stop requested: draining");
        else {
            log.warn("second stop request: stopping fast, queued requests answered RETRY");
            writers.forEach(GroupCommitWriter::stopFast);
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
    private void drain() {
        listener.stopReading();
        awaitQuietly(() -> queue.isEmpty() && !listener.isHolding(), Duration.ofMinutes(10));
        writers.forEach(GroupCommitWriter::stop);
        writerThreads.forEach(Daemon::joinQuietly);
        awaitQuietly(() -> listener.pendingReplies() == 0, Duration.ofSeconds(10));
        listener.stop();
        joinQuietly(listenerThread);
        processing.stop();
        joinQuietly(processingThread);
        shutdownQuietly();
    }

    private void shutdownQuietly() {
        if (probe != null) probe.stop();
        if (metrics != null) metrics.close();
        if (control != null) control.close();
        if (admission != null) admission.close();
        if (db != null) db.close();
        if (zmq != null) zmq.close();
        if (replies != null) replies.close();
        if (pidFile != null) pidFile.close();
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
        if (systemd != null) systemd.reloading();
        String outcome;
        try {
            var overrides = new java.util.LinkedHashMap<>(config.source().overrides());
            overrides.putAll(extraOverrides);
            var source = new Config.Source(config.source().file(), overrides, config.source().baseDir());
            var loaded = ConfigLoader.load(source, Map.of(ConfigLoader.PASSWORD_ENV, config.db().password().reveal()));
            var next = loaded.config();
            var fixed = Reload.changedFixedKeys(started, next);
            if (admission != null) admission.reloadKeys();
            Logging.setLevel(next.logLevel());
            listener.limits(limits(next));
            writers.forEach(w -> w.reconfigure(next.limits().batchMax(), next.db().retryWindow()));
            processing.reconfigure(next.processing().sweepInterval(), next.processing().linger());
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
            @Override public int queueRecords() { return queue.records(); }
            @Override public long backlog() { return probe.backlog(); }
            @Override public int poolActive() { return db.activeConnections(); }
            @Override public int poolTotal() { return db.totalConnections(); }
            @Override public io.ingestd.metrics.MetricsServer.Health health() { return Daemon.this.health(); }
        };
    }

    /** Healthy when the database answers and the listener and writers come round their loops. */
    io.ingestd.metrics.MetricsServer.Health health() {
        if (stopRequests.get() > 0) return new io.ingestd.metrics.MetricsServer.Health(false, "stopping");
        if (stats.isDatabaseDown()) {
            return new io.ingestd.metrics.MetricsServer.Health(false, "database unavailable: " + stats.lastError());
        }
        long now = System.nanoTime();
        if (now - listener.heartbeatNanos() > TimeUnit.SECONDS.toNanos(5)) {
            return new io.ingestd.metrics.MetricsServer.Health(false, "listener stalled");
        }
        long writerLimit = config.db().networkTimeout().toNanos() + TimeUnit.SECONDS.toNanos(5);
        for (var w : writers) {
            if (now - w.heartbeatNanos() > writerLimit) return new io.ingestd.metrics.MetricsServer.Health(false, "writer stalled");
        }
        return new io.ingestd.metrics.MetricsServer.Health(true, "");
    }

    long backlog() { return probe == null ? -1 : probe.backlog(); }
    double ackRate() { return probe == null ? 0 : probe.ackRate(); }

    /** Answers the control channel: {@code status} (JSON) or {@code status-text}. */
    private String control(String request) {
        return switch (request) {
            case "status" -> StatusReport.json(StatusReport.collect(this));
            case "status-text" -> StatusReport.text(StatusReport.collect(this));
            case String r when r.startsWith("reload ") -> reload(ReloadRequest.overrides(r));
            default -> "error: unknown request '" + request + "' (status, status-text, reload K=V...)";
        };
    }

    /** SIGUSR1: logrotate moved the files; open new ones. */
    void reopenLogs() {
        Logging.reopen();
        log.info("log files reopened");
    }

    private static Listener.Limits limits(Config c) {
        return new Listener.Limits(c.limits().maxMessageBytes(), c.limits().maxMessageRecords(), c.limits().maxPendingPerPeer());
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.lines().findFirst().orElse(m);
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

    /** Writer and listener both came round their loops recently: the condition for systemd watchdog pings. */
    boolean isMakingProgress(long withinNanos) {
        long now = System.nanoTime();
        if (now - listener.heartbeatNanos() > withinNanos) return false;
        for (var w : writers) if (now - w.heartbeatNanos() > withinNanos) return false;
        return true;
    }

    List<GroupCommitWriter> writers() { return writers; }
}
