package io.ingestd.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.ingestd.config.Config;
import io.ingestd.metrics.Stats;
import org.flywaydb.core.Flyway;
import org.jspecify.annotations.Nullable;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

/** The connection pool and schema of one database: opened and migrated at start-up, closed last at stop. */
public final class Database implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Database.class);
    private static final Executor DIRECT = Runnable::run;

    private final HikariConfig poolConfig;
    private volatile HikariDataSource pool;
    private final HikariConfig autocommitConfig;
    private volatile @Nullable HikariDataSource autocommitPool;
    private static final long RENEW_INTERVAL = java.util.concurrent.TimeUnit.SECONDS.toNanos(3);
    private long renewedAt = System.nanoTime() - RENEW_INTERVAL;
    final Dialect dialect;
    final String table;
    /** This ingestd node's claim on the rows it inserts (README: Running several nodes). */
    final long node;

    private final int networkTimeoutMillis;
    /** Where the schema's fingerprint is kept between starts ({@link SchemaFingerprint}). */
    private final Path dataDir;

    private Database(
            HikariConfig poolConfig,
            HikariDataSource pool,
            Dialect dialect,
            String table,
            Path dataDir,
            int networkTimeoutMillis) {
        this.poolConfig = poolConfig;
        this.node = nodeId(dataDir);
        this.dataDir = dataDir;
        this.pool = pool;
        this.autocommitConfig = autocommitConfig(poolConfig);
        this.dialect = dialect;
        this.table = table;
        this.networkTimeoutMillis = networkTimeoutMillis;
    }

    private volatile boolean migrated;

    /** Connects (failing fast when the database cannot be reached) and brings the schema up to date. */
    public static Database open(Config config) {
        return open(config, true);
    }

    /**
     * For a start while the database is away but its schema is known to be in place (the spool remembers it): the
     * pool connects when it can, and {@link #migrateIfNeeded} brings the schema up to date once the database answers.
     */
    public static Database openUnmigrated(Config config) {
        return open(config, false);
    }

    private static Database open(Config config, boolean now) {
        var hc = new HikariConfig();
        hc.setPoolName("ingestd-db");
        hc.setJdbcUrl(config.db().url());
        if (!config.db().user().isEmpty()) hc.setUsername(config.db().user());
        if (!config.db().password().isEmpty())
            hc.setPassword(config.db().password().reveal());
        hc.setMaximumPoolSize(Math.max(config.db().poolSize(), config.db().writers() + 1));
        hc.setAutoCommit(false);
        // a short timeout lets writers notice an outage within a second and answer RETRY within db.retry-window
        hc.setConnectionTimeout(1000);
        hc.setValidationTimeout(1000);
        hc.setInitializationFailTimeout(now ? 3000 : -1);
        hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        var pool = new HikariDataSource(hc);
        try {
            var db = new Database(
                    hc,
                    pool,
                    Dialect.of(config.db().url()),
                    config.db().table(),
                    config.paths().dataDir(),
                    (int) config.db().networkTimeout().toMillis());
            if (now) db.migrateIfNeeded();
            return db;
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
    }

    /**
     * The same number for the same host and data directory, so a restarted node processes its own rows at once
     * (only one process can hold a data directory: the PID lock); two nodes differ.
     */
    static long nodeId(java.nio.file.Path dataDir) {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            host = "localhost"; // the data directory alone still tells this machine's nodes apart
        }
        var id = java.util.UUID.nameUUIDFromBytes(
                (host + "\0" + dataDir.toAbsolutePath()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
        return id.getMostSignificantBits() & Long.MAX_VALUE;
    }

    /**
     * Commits the transaction begun on session {@code began}, unless the connection has moved to another session
     * since (a multi-host URL's driver failover): then what ran before the move is lost with the old session and
     * what ran after it is not the whole transaction, so it is rolled back and the caller repeats the whole unit.
     * Notes the server the commit went to, for status and metrics.
     */
    static void commit(Connection c, Session began, Stats stats) throws SQLException {
        var now = Session.of(c);
        if (!now.equals(began)) {
            throw new SQLTransientConnectionException(
                    "the connection moved from " + began.host() + " (session " + began.id() + ") to " + now.host()
                            + " (session " + now.id() + ") inside a transaction: rolled back",
                    "08007");
        }
        c.commit();
        if (!now.host().isEmpty()) stats.databaseNode(now.host());
    }

    /**
     * After any failure inside a transaction: rolls back what the session still holds. A connection whose node
     * failed or that moved to another node (a multi-host URL's driver failover), or that cannot even roll back, is
     * taken out of the pool, so no later transaction runs on a session in an unknown state; that counts as a
     * failover (the next transaction goes to a fresh connection, on another node if need be). Other errors (a
     * conflict, bad data) leave a clean session that goes back to the pool, as HikariCP does by itself.
     */
    void discard(Connection c, boolean autocommit, Throwable cause, Stats stats) {
        boolean unavailable = cause instanceof SQLException e && SqlErrors.isNodeUnavailable(e);
        boolean clean = true;
        try {
            if (!autocommit) c.rollback();
        } catch (SQLException e) {
            clean = false; // a broken session has nothing left to roll back; the eviction below closes it
        }
        if (unavailable) stats.databaseFailover();
        if (!unavailable && clean) return;
        var from = autocommit ? autocommitPool : pool;
        if (from != null) from.evictConnection(c);
    }

    /**
     * Creates or upgrades the table, then checks that its shape can hold what ingestd acknowledges. The database
     * may hold other tables (the back office's own, or the PHP daemon's old {@code fee}): the schema history is per
     * table ({@code <table>_schema_history}), and a database without it starts from version 0. A table of that name
     * that ingestd did not create is refused before Flyway writes anything, and a migration that fails removes what
     * this start created (on MariaDB, DDL is not transactional and Flyway would leave a failed history row that
     * blocks every later start): a failed start leaves the database as it found it.
     */
    public synchronized void migrateIfNeeded() {
        if (migrated) return;
        migrate();
        migrated = true;
    }

    /**
     * What start would refuse about an existing table, read without changing anything (for check-config): a
     * table ingestd did not create, or one whose columns cannot hold its records. Empty when the table is missing
     * (start creates it) or fits.
     */
    public static Optional<String> tableProblem(Connection c, String table) throws SQLException {
        var existing = TableShape.find(c, table);
        if (existing.isEmpty()) return Optional.empty();
        var shape = TableShape.problems(c, existing.get());
        String history = table + "_schema_history";
        if (TableShape.find(c, history).isEmpty()) {
            return Optional.of("table '" + table + "' already exists and was not created by ingestd (there is no "
                    + history + (shape.isEmpty() ? "" : "; " + shape.getFirst()) + "): set db.table to a new table "
                    + "name, and copy old rows into it if needed (README: Migrating from the PHP daemon)");
        }
        return shape.isEmpty() ? Optional.empty() : Optional.of("table '" + table + "': " + String.join("; ", shape));
    }

    private void migrate() {
        String history = table + "_schema_history";
        Optional<String> historyBefore;
        boolean tableBefore;
        @Nullable String fingerprint = null;
        try (Connection c = pool.getConnection()) {
            historyBefore = TableShape.find(c, history);
            if (historyBefore.isPresent() && !SchemaHistory.hasAppliedMigration(c, historyBefore.get())) {
                // left by a start that failed before this check existed: it records nothing ingestd created
                SchemaHistory.drop(c, historyBefore.get());
                log.warn("removed {}: it recorded only a failed first migration of table '{}'", history, table);
                historyBefore = Optional.empty();
            } else if (historyBefore.isPresent() && SchemaHistory.removeFailed(c, historyBefore.get()) > 0) {
                log.warn("removed the failed migration recorded in {} by an earlier start; migrating again", history);
            }
            var existing = TableShape.find(c, table);
            tableBefore = existing.isPresent();
            if (tableBefore && historyBefore.isEmpty()) {
                var shape = TableShape.problems(c, existing.get());
                throw new TableConflict(
                        "table '" + table + "' already exists and was not created by ingestd (there is "
                                + "no " + history + (shape.isEmpty() ? "" : "; " + shape.getFirst())
                                + "): set db.table to a "
                                + "new table name, and copy old rows into it if needed (README: Migrating from the PHP daemon)");
            }
            if (tableBefore && historyBefore.isPresent()) {
                fingerprint = SchemaFingerprint.of(c, dialect, table, historyBefore.get());
            }
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the database's tables: " + SqlFailure.describe(e), e);
        }
        if (fingerprint != null && SchemaFingerprint.matches(dataDir, fingerprint)) {
            log.debug("table '{}' and {} unchanged since Flyway last validated them: Flyway not run", table, history);
        } else {
            flyway(history, historyBefore.isPresent(), tableBefore);
        }
        checkShape();
    }

    /** Flyway's migrate (and validate); once it ran to the end, the fingerprint for the next start. */
    private void flyway(String history, boolean historyBefore, boolean tableBefore) {
        try {
            Flyway.configure()
                    .dataSource(pool)
                    .locations(dialect.migrations)
                    .table(history)
                    .placeholders(Map.of("table", table))
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
        } catch (org.flywaydb.core.api.FlywayException e) {
            undoFailedMigration(historyBefore, tableBefore);
            throw new SchemaRefused(
                    "migrating table '" + table + "' failed: " + SqlFailure.rootMessage(e) + " (the database "
                            + "is left as it was; check that db.user may create and alter tables, then start again)",
                    e);
        }
        try (Connection c = pool.getConnection()) {
            var h = TableShape.find(c, history);
            if (h.isPresent()) SchemaFingerprint.save(dataDir, SchemaFingerprint.of(c, dialect, table, h.get()));
            c.commit();
        } catch (SQLException e) {
            log.warn(
                    "cannot read {} after migrating ({}): the next start runs Flyway again",
                    history,
                    SqlFailure.describe(e));
        }
    }

    /** Removes what a failed migration of this start created or recorded. */
    private void undoFailedMigration(boolean historyExisted, boolean tableExisted) {
        String history = table + "_schema_history";
        try (Connection c = pool.getConnection()) {
            var h = TableShape.find(c, history);
            if (h.isPresent() && !historyExisted) SchemaHistory.drop(c, h.get());
            else if (h.isPresent()) SchemaHistory.removeFailed(c, h.get());
            var t = TableShape.find(c, table);
            if (t.isPresent() && !tableExisted && SchemaHistory.isEmpty(c, t.get())) SchemaHistory.drop(c, t.get());
            c.commit();
        } catch (SQLException e) {
            log.error(
                    "could not undo the failed migration of table '{}'; remove {} before the next start",
                    table,
                    history,
                    e);
        }
    }

    /** Refuses a table whose columns cannot hold what ingestd acknowledges (e.g. a volume column made DECIMAL(18,2)). */
    private void checkShape() {
        List<String> problems;
        try (Connection c = pool.getConnection()) {
            problems = TableShape.problems(c, TableShape.find(c, table).orElse(table));
            c.commit();
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "cannot read the columns of table '" + table + "': " + SqlFailure.describe(e), e);
        }
        if (!problems.isEmpty()) {
            throw new SchemaRefused("table '" + table + "' cannot hold what ingestd acknowledges: "
                    + String.join("; ", problems) + "; alter the table back to that shape (README: Storage)");
        }
    }

    /** The database or its table cannot be used as it is; the message says why and what to do. */
    public static class SchemaRefused extends IllegalStateException {
        SchemaRefused(String message) {
            super(message);
        }

        SchemaRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** False only while a database that was away at start has not been migrated yet: nothing is written then. */
    public boolean isMigrated() {
        return migrated;
    }

    /** The configured table exists but is not ingestd's: using it could mix or break records. */
    public static final class TableConflict extends SchemaRefused {
        TableConflict(String message) {
            super(message);
        }
    }

    /**
     * The writers' second pool, in autocommit mode, for groups that one statement writes whole: the statement is
     * the transaction, one round trip instead of two (statement, then commit). Opened on first use.
     */
    private static HikariConfig autocommitConfig(HikariConfig main) {
        var hc = new HikariConfig();
        main.copyStateTo(hc);
        hc.setPoolName(main.getPoolName() + "-autocommit");
        hc.setAutoCommit(true);
        hc.setMinimumIdle(0);
        hc.setInitializationFailTimeout(-1);
        return hc;
    }

    /** A pooled connection in a transaction (commit or roll back before closing it). */
    Connection connection() throws SQLException {
        return bounded(pool.getConnection());
    }

    /** A pooled connection in autocommit mode: each statement commits on its own. */
    Connection autocommitConnection() throws SQLException {
        var p = autocommitPool;
        if (p == null) {
            synchronized (this) {
                if ((p = autocommitPool) == null) p = autocommitPool = new HikariDataSource(autocommitConfig);
            }
        }
        return bounded(p.getConnection());
    }

    /** Every round trip of the connection bounded by {@code db.network-timeout}. */
    private Connection bounded(Connection c) {
        try {
            c.setNetworkTimeout(DIRECT, networkTimeoutMillis);
        } catch (SQLException | UnsupportedOperationException e) {
            // a driver without network timeouts still works, only hangs longer on a dead peer
        }
        return c;
    }

    public String table() {
        return table;
    }

    /** Connects directly, past the pool: tells whether the database is back while the pool has no connections. */
    public boolean answersDirectly() {
        var props = new java.util.Properties();
        if (poolConfig.getUsername() != null) props.setProperty("user", poolConfig.getUsername());
        if (poolConfig.getPassword() != null) props.setProperty("password", poolConfig.getPassword());
        try (Connection c = java.sql.DriverManager.getConnection(poolConfig.getJdbcUrl(), props)) {
            return c.isValid(1);
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Replaces the pool while writes fail but the database answers a direct connection: HikariCP re-creates lost
     * connections with a backoff that grows to 5 s, and keeps connections an embedded database has closed (H2
     * after a full disk); a fresh pool is back at once (the 2 s recovery target). At most every few seconds.
     */
    public synchronized void renewPool() {
        if (System.nanoTime() - renewedAt < RENEW_INTERVAL) return;
        renewedAt = System.nanoTime();
        var old = pool;
        var fresh = new HikariConfig();
        poolConfig.copyStateTo(fresh);
        fresh.setInitializationFailTimeout(-1);
        pool = new HikariDataSource(fresh);
        Thread.ofVirtual().start(old::close);
        var oldAutocommit = autocommitPool;
        if (oldAutocommit != null) {
            autocommitPool = new HikariDataSource(autocommitConfig);
            Thread.ofVirtual().start(oldAutocommit::close);
        }
    }

    /** Rows still waiting for processing ('N'). */
    public long backlog() throws SQLException {
        try (var c = connection();
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM " + table + " WHERE status = 'N'")) {
            rs.next();
            long n = rs.getLong(1);
            c.commit();
            return n;
        }
    }

    /** Active and total connections of the pool, for metrics. */
    public int activeConnections() {
        return count(pool, true) + count(autocommitPool, true);
    }

    public int totalConnections() {
        return count(pool, false) + count(autocommitPool, false);
    }

    private static int count(@Nullable HikariDataSource p, boolean active) {
        var bean = p == null ? null : p.getHikariPoolMXBean();
        if (bean == null) return 0;
        return active ? bean.getActiveConnections() : bean.getTotalConnections();
    }

    @Override
    public synchronized void close() {
        pool.close();
        if (autocommitPool != null) autocommitPool.close();
    }
}
