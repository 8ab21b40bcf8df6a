package io.ingestd.daemon;

import io.ingestd.metrics.Stats;
import io.ingestd.store.Database;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

/**
 * Every few seconds: counts the rows waiting in 'N' (for status and metrics, so scrapes never query the
 * database), which doubles as a health probe when no traffic would reveal an outage, and samples the
 * acknowledgement rate.
 */
final class DatabaseProbe {
    private static final long PERIOD_MILLIS = 2000;

    private final Database db;
    private final Stats stats;
    private volatile long backlog;
    private volatile double ackRate;
    private volatile boolean running = true;

    DatabaseProbe(Database db, Stats stats) {
        this.db = db;
        this.stats = stats;
    }

    void start(Supervisor supervisor) {
        supervisor.startBackground("db-probe", this::loop);
    }

    void stop() {
        running = false;
    }

    long backlog() {
        return backlog;
    }

    /** Records acknowledged per second over the last few seconds. */
    double ackRate() {
        return ackRate;
    }

    private void loop() {
        long lastAcks = stats.recordsAcknowledged.sum();
        long lastTime = System.nanoTime();
        while (running) {
            if (stats.isDatabaseDown() && db.answersDirectly()) db.renewPool();
            try {
                // a start while the database was away migrates once it answers; writers wait for it (they spool)
                db.migrateIfNeeded();
                backlog = db.backlog();
                stats.databaseUp();
            } catch (SQLException e) {
                stats.databaseDown(io.ingestd.store.SqlFailure.describe(e));
            } catch (RuntimeException e) {
                stats.databaseDown("schema migration failed: " + e.getMessage());
            }
            long acks = stats.recordsAcknowledged.sum();
            long now = System.nanoTime();
            ackRate = (acks - lastAcks) / Math.max((now - lastTime) / 1e9, 1e-3);
            lastAcks = acks;
            lastTime = now;
            try {
                // while the database is away, look often: recovery within 2 s of its return is the target
                TimeUnit.MILLISECONDS.sleep(stats.isDatabaseDown() ? 200 : PERIOD_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
