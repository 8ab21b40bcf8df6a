package io.ingestd.daemon;

import io.ingestd.ExitCode;
import io.ingestd.config.Config;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import io.ingestd.daemon.Startup.Running;
import io.ingestd.log.Logging;
import io.ingestd.log.RejectLog;
import io.ingestd.metrics.Stats;
import io.ingestd.spool.Spool;
import io.ingestd.store.GroupCommitWriter;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon: has {@link Startup} start its parts, publishes them once as the immutable {@link Running} state,
 * then is the target of signals, control requests and health checks until it is told to stop; stop drains every
 * request it took and closes the parts in reverse. Used by both {@code start} (detached) and {@code run}
 * (foreground).
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

    private volatile String lastReload = "never";
    private final AtomicInteger reloads = new AtomicInteger();
    /** Null until start-up is complete, then published once; signals, control and metrics read only this. */
    private volatile @Nullable Running running;

    private volatile boolean reloadRequested;
    private volatile @Nullable SdNotify systemd;

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
    @Nullable
    Running running() {
        return running;
    }
    /** The spool, or null when it is off (or while starting). */
    @Nullable
    Spool spool() {
        var r = running;
        return r == null ? null : r.spool();
    }

    /** The user the daemon runs as (after the privilege drop, once started). */
    public String runAs() {
        var r = running;
        return r == null ? System.getProperty("user.name") : r.runAs();
    }

    public String lastReload() {
        return lastReload;
    }

    public int reloads() {
        return reloads.get();
    }

    /** Runs the daemon until it is told to stop; returns the process exit code. */
    public int run(Readiness readiness, boolean foreground) {
        var startup = new Startup(started, configWarnings, stats, rejects, supervisor, new StartupHost());
        try {
            running = startup.run(foreground);
        } catch (StartupFailure f) {
            log.error("start-up failed ({}): {}", f.phase().label(), f.getMessage(), f.getCause());
            readiness.failed(f.phase(), f.message());
            startup.close();
            return f.phase().exitCode.code();
        } catch (RuntimeException | Error e) {
            log.error("start-up failed", e);
            readiness.failed(Phase.STARTUP, io.ingestd.config.IoReason.root(e) + " (see the log for details)");
            startup.close();
            return Phase.STARTUP.exitCode.code();
        }
        String summary = "listening on " + String.join(", ", config.listen()) + ", database "
                + config.db().urlForDisplay() + running.degraded() + running.warnings();
        log.info("ready (pid {}): {}", ProcessHandle.current().pid(), summary);
        readiness.ready(summary);
        var metrics = running.metrics();
        if (metrics != null) metrics.bindJvmMetrics(); // after ready: start-up does not wait for them
        systemd = SdNotify.fromEnvironment().orElse(null);
        if (reloadRequested) reload();
        var watchdog = new Watchdog(this, systemd);
        watchdog.start(supervisor);
        awaitStop();
        if (systemd != null) systemd.stopping();
        watchdog.stop();
        drain(running);
        startup.close();
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
                // in this order: a request on its way from the listener to the queue is seen in one of them
                () -> ((listener.hasStoppedReading() || !listenerThread.isAlive())
                                && !listener.isHolding()
                                && queue.isEmpty())
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
                    Map.of(
                            ConfigLoader.PASSWORD_ENV,
                            config.db().password().reveal(),
                            ConfigLoader.RUNNING_PASSWORD,
                            config.db().password().reveal()));
            var next = loaded.config();
            var fixed = Reload.changedFixedKeys(started, next);
            if (r.admission() != null) r.admission().follow(next.security().curveClientsDir());
            Logging.setLevel(next.logLevel());
            r.listener().limits(Startup.limits(next));
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
            revokeRemovedKeys(r);
        } catch (IOException | RuntimeException e) {
            outcome = "refused: " + (e instanceof IOException ? e.getMessage() : io.ingestd.config.IoReason.root(e))
                    + " (the running configuration is unchanged)";
            log.error("reload failed", e);
            revokeRemovedKeys(r);
        }
        lastReload = Instant.now() + " " + outcome;
        reloads.incrementAndGet();
        if (systemd != null) systemd.ready();
        return outcome;
    }

    /**
     * A refused reload still revokes: the keys removed from the directory in effect stop being admitted, whatever
     * else in the configuration is wrong.
     */
    private static void revokeRemovedKeys(Running r) {
        var admission = r.admission();
        if (admission == null) return;
        try {
            admission.reloadKeys();
        } catch (IOException e) {
            log.error("curve.clients.dir: cannot re-read it: {}; the keys read before still apply", e.getMessage());
        }
    }

    /** What start-up hands the parts that call back into the daemon: signals, control and metrics. */
    private final class StartupHost implements Startup.Host {
        @Override
        public Daemon signalTarget() {
            return Daemon.this;
        }

        @Override
        public String control(String request) {
            return Daemon.this.control(request);
        }

        @Override
        public io.ingestd.metrics.MetricsServer.Sources metricsSources() {
            return Daemon.this.metricsSources();
        }
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
        String unusable = r.spool() == null ? null : r.spool().unusable();
        if (stats.isDatabaseDown()) {
            if (r.spool() != null && unusable == null) {
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
        // working, but an outage would be answered RETRY instead of being spooled
        if (unusable != null) return new io.ingestd.metrics.MetricsServer.Health(true, "spool unusable: " + unusable);
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
            case "overrides" -> ReloadRequest.of(config.source().overrides()).substring("reload ".length());
            case "reopen-logs" -> {
                reopenLogs();
                yield "reopened";
            }
            default -> "error: unknown request '" + request + "' (status, status-text, reload K=V..., reopen-logs)";
        };
    }

    /** SIGUSR1: logrotate moved the files; open new ones. */
    void reopenLogs() {
        Logging.reopen();
        log.info("log files reopened");
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
