package io.ingestd.daemon;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * Under systemd: pings WATCHDOG=1 at half of $WATCHDOG_USEC, but only while the listener and every writer are
 * making progress (a stuck writer stops the pings, and systemd restarts the service); and keeps STATUS= current.
 */
final class Watchdog {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    private final Daemon daemon;
    private final @Nullable SdNotify systemd;
    private volatile boolean running = true;
    private @Nullable Thread thread;

    Watchdog(Daemon daemon, @Nullable SdNotify systemd) {
        this.daemon = daemon;
        this.systemd = systemd;
    }

    void start(Supervisor supervisor) {
        if (systemd == null) return;
        long interval = SdNotify.watchdogIntervalMicros().orElse(0);
        long periodMicros = interval > 0 ? interval / 2 : TimeUnit.SECONDS.toMicros(5);
        thread = supervisor.startBackground("watchdog", () -> loop(interval, periodMicros));
    }

    void stop() {
        running = false;
        if (thread != null) thread.interrupt();
    }

    private void loop(long intervalMicros, long periodMicros) {
        var systemd = java.util.Objects.requireNonNull(this.systemd, "started only with systemd");
        boolean warned = false;
        while (running) {
            var s = daemon.stats();
            systemd.status(s.recordsAcknowledged.sum() + " records acknowledged, " + s.rejectedTotal()
                    + " rejected, queue "
                    + (daemon.running() == null ? 0 : daemon.running().queue().records())
                    + (s.isDatabaseDown() ? ", database unavailable: " + s.lastError() : ""));
            if (intervalMicros > 0) {
                if (daemon.isMakingProgress(TimeUnit.MICROSECONDS.toNanos(intervalMicros))) {
                    systemd.watchdog();
                    warned = false;
                } else if (!warned) {
                    log.error(
                            "listener or writer made no progress for {} ms: withholding watchdog pings",
                            TimeUnit.MICROSECONDS.toMillis(intervalMicros));
                    warned = true;
                }
            }
            try {
                TimeUnit.MICROSECONDS.sleep(periodMicros);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
