package io.ingestd.store;

import io.ingestd.Fee;
import io.ingestd.FeeProcessor;
import io.ingestd.metrics.Stats;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.ServiceLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Moves committed records from 'N' to 'Y': locks them, runs the {@link FeeProcessor} and marks them 'Y' in one
 * transaction. Each row is born claimed by the node that inserted it ({@code claim}, {@code claimed_at}), and only
 * that node processes it: its fresh batches come from its writers, and its sweep picks up what they left. Rows whose
 * claim is older than {@link #LEASE_SECONDS} (their node is gone or stuck) are first taken over by an UPDATE of the
 * claim, in a transaction of its own: on a Galera cluster that write is certified cluster-wide, whereas row locks
 * (FOR UPDATE SKIP LOCKED) hold on one database node only. So no two nodes run the processor for one row unless a
 * node crashes or one processing transaction lasts half a lease. It never slows the acknowledgements: when it lags,
 * fresh batches are left to the sweep.
 */
public final class ProcessingStage implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ProcessingStage.class);

    private final Database db;
    private final FeeProcessor processor;
    private final Stats stats;
    private static final int MAX_GATHER = 20_000;
    private static final int SWEEP_CHUNK = 5_000;
    /**
     * How long a node's claim on its rows holds before another node may take them over. Long against a processing
     * transaction (milliseconds; seconds while a Galera cluster pauses after losing a node), short enough that the
     * rows of a node that is gone wait well under a minute. A node processes its own rows only in the first half.
     */
    static final int LEASE_SECONDS = 20;

    private final BlockingQueue<long[]> fresh = new ArrayBlockingQueue<>(1024);
    private volatile long sweepIntervalNanos;
    private volatile long lingerNanos;
    private static final long STOP_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private volatile boolean stopping;
    private volatile long stopDeadline;
    private volatile long heartbeatNanos = System.nanoTime();
    private static final long STALL_MARGIN_NANOS = TimeUnit.SECONDS.toNanos(60);

    private final boolean inline;

    public ProcessingStage(
            Database db, Stats stats, Duration sweepInterval, Duration linger, boolean inlineWhenNoProcessor) {
        this.db = db;
        this.stats = stats;
        this.processor = loadProcessor();
        this.inline = inlineWhenNoProcessor && processor == FeeProcessor.NONE;
        reconfigure(sweepInterval, linger);
    }

    static FeeProcessor loadProcessor() {
        var found = ServiceLoader.load(FeeProcessor.class).findFirst();
        found.ifPresent(p -> log.info("processing with {}", p.getClass().getName()));
        return found.orElse(FeeProcessor.NONE);
    }

    /**
     * With {@code process.inline} (the default) and no {@link FeeProcessor} installed, records are inserted as 'Y'
     * in the writer's own transaction (the commit is the processing: each row is written once, not twice), and only
     * the sweep runs here.
     */
    boolean processesAtInsert() {
        return inline;
    }

    public void reconfigure(Duration sweepInterval, Duration linger) {
        this.sweepIntervalNanos = sweepInterval.toNanos();
        this.lingerNanos = linger.toNanos();
    }

    /** Committed tickets to process; dropped (left to the sweep) if the stage is behind. */
    void submit(long[] tickets) {
        if (tickets.length > 0 && !fresh.offer(tickets)) stats.processingDeferred(tickets.length);
    }

    /**
     * Finishes what was handed over for up to two seconds, then ends: rows still 'N' are committed and are swept
     * at the next start (or by another node), so a stop never waits on a processing backlog.
     */
    public void stop() {
        stopDeadline = System.nanoTime() + STOP_BUDGET_NANOS;
        stopping = true;
    }

    /** When the loop last came round (once per fresh batch, sweep chunk or idle poll of 200 ms). */
    public long heartbeatNanos() {
        return heartbeatNanos;
    }

    /**
     * How long the loop may go without coming round before it counts as stalled: a batch's round trips, each
     * bounded by {@code db.network-timeout}, plus a generous minute for the FeeProcessor, plus the sweep interval.
     */
    public long stallLimitNanos(Duration networkTimeout) {
        return sweepIntervalNanos + 3 * networkTimeout.toNanos() + STALL_MARGIN_NANOS;
    }

    @Override
    public void run() {
        long nextSweep = System.nanoTime();
        while (!stopping || (!fresh.isEmpty() && System.nanoTime() - stopDeadline < 0)) {
            heartbeatNanos = System.nanoTime();
            try {
                if (!stopping && System.nanoTime() - nextSweep >= 0) {
                    sweep();
                    nextSweep = System.nanoTime() + sweepIntervalNanos;
                }
                long[] tickets = fresh.poll(200, TimeUnit.MILLISECONDS);
                if (tickets != null) process(gather(tickets));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (SQLException | RuntimeException e) {
                // the rows stay 'N' and the next sweep takes them; never let this thread die. The transaction is
                // already rolled back (unit): nothing continues after a failure.
                // during an outage the probe has logged it once; repeating it every sweep says nothing new
                String why = SqlFailure.describe(e);
                if (stats.isDatabaseDown()) log.debug("processing failed (database unavailable): {}", why);
                else log.warn("processing failed, rows stay 'N' for the next sweep: {}", why);
                nextSweep = Math.min(nextSweep, System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
                fresh.clear(); // the sweep finds these rows; retrying each batch now would only repeat the error
                try {
                    TimeUnit.SECONDS.sleep(1);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
        long left = fresh.stream().mapToLong(t -> t.length).sum();
        if (left > 0) log.info("{} committed records left 'N'; they are processed at the next start", left);
    }

    /**
     * Processes this node's rows left 'N' (a crash between commit and processing, or handed over while behind),
     * after taking over the rows whose claim expired.
     */
    public int sweep() throws SQLException {
        int taken = 0, n;
        while ((n = takeOver()) > 0 && !stopping) {
            taken += n;
            if (n < SWEEP_CHUNK) break;
        }
        if (taken > 0) log.info("took over {} rows whose claim expired (their node is gone or stuck)", taken);
        int total = 0;
        while (true) {
            Claimed c = unit(conn -> {
                try (PreparedStatement ps =
                        conn.prepareStatement(Sql.claimOwn(db.table, SWEEP_CHUNK, db.node, freshLimit()))) {
                    return processClaimed(conn, ps);
                }
            });
            stats.processed(c.marked()); // counted once committed: a failed commit is processed again later
            total += c.claimed();
            if (c.claimed() < SWEEP_CHUNK || stopping) break;
            heartbeatNanos = System.nanoTime(); // a long backlog is progress, chunk by chunk
        }
        if (total > 0) log.info("processed {} rows left 'N'", total);
        return total;
    }

    /** Claims rows whose lease expired for this node, in a short transaction of its own; a conflict means another node took them. */
    private int takeOver() throws SQLException {
        try {
            return unit(c -> {
                var found = new ArrayList<Long>();
                try (var st = c.createStatement();
                        var rs = st.executeQuery(
                                Sql.expiredClaims(db.table, SWEEP_CHUNK, db.dialect.secondsAgo(LEASE_SECONDS)))) {
                    while (rs.next()) found.add(rs.getLong(1));
                }
                for (int from = 0; from < found.size(); from += Sql.CHUNK) {
                    int n = Math.min(Sql.CHUNK, found.size() - from);
                    try (var ps = c.prepareStatement(Sql.takeOver(db.table, n, db.node, db.dialect.now()))) {
                        for (int i = 0; i < n; i++) ps.setLong(i + 1, found.get(from + i));
                        ps.executeUpdate();
                    }
                }
                return found.size();
            });
        } catch (SQLException e) {
            if (!SqlErrors.isConflict(e)) throw e;
            log.debug("another node took over the same rows first: {}", SqlFailure.describe(e));
            return 0;
        }
    }

    /** Rows claimed longer ago than half a lease are left to a take-over: see {@link #LEASE_SECONDS}. */
    private String freshLimit() {
        return db.dialect.secondsAgo(LEASE_SECONDS / 2);
    }

    /** Work of one transaction. */
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on one database session and commits it. Any failure rolls it back (and
     * drops a connection whose node failed or moved): a transaction never goes on after an error, on this session
     * or another one (README: Running several nodes). The caller repeats the whole unit.
     */
    private <T> T unit(Work<T> work) throws SQLException {
        try (Connection c = db.connection()) {
            try {
                var session = Session.of(c);
                T result = work.run(c);
                Database.commit(c, session, stats);
                return result;
            } catch (SQLException | RuntimeException e) {
                db.discard(c, false, e, stats);
                throw e;
            }
        }
    }

    /**
     * Joins the batches that arrive within the linger time into one, so one commit covers many writer
     * transactions: at a low rate (one lock-step client) this turns one UPDATE commit per record into one per
     * linger period, and leaves the database's CPU to the inserts that clients wait for. The thread sleeps
     * through the linger instead of waking for each batch: a wake-up per writer commit cost more CPU here than
     * the batch itself (measured with one lock-step client: 1.4 wake-ups per message).
     */
    private long[] gather(long[] first) throws InterruptedException {
        if (!stopping && lingerNanos > 0) LockSupport.parkNanos(lingerNanos);
        var parts = new ArrayList<long[]>();
        parts.add(first);
        int total = first.length;
        long[] next;
        while (total < MAX_GATHER && (next = fresh.poll()) != null) {
            parts.add(next);
            total += next.length;
        }
        if (parts.size() == 1) return first;
        long[] all = new long[total];
        int at = 0;
        for (long[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private void process(long[] tickets) throws SQLException {
        int marked = unit(c -> {
            if (!processor.needsRecords()) return markProcessed(c, tickets);
            int m = 0;
            for (int from = 0; from < tickets.length; from += Sql.CHUNK) {
                int n = Math.min(Sql.CHUNK, tickets.length - from);
                try (PreparedStatement ps = c.prepareStatement(Sql.claim(db.table, n, db.node, freshLimit()))) {
                    for (int i = 0; i < n; i++) ps.setLong(i + 1, tickets[from + i]);
                    m += processClaimed(c, ps).marked();
                }
            }
            return m;
        });
        stats.processed(marked);
    }

    /** Rows a claim query returned, and how many of them were marked 'Y'. */
    private record Claimed(int claimed, int marked) {}

    /**
     * Runs the claim query, marks the claimed rows 'Y' and runs the processor; the caller commits, then counts. An
     * SQL error the processor saw fails the unit even if the processor caught it.
     */
    private Claimed processClaimed(Connection c, PreparedStatement claim) throws SQLException {
        var fees = new ArrayList<Fee>();
        try (var rs = claim.executeQuery()) {
            while (rs.next()) fees.add(new Fee(rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3)));
        }
        if (fees.isEmpty()) return new Claimed(0, 0);
        long[] ids = new long[fees.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = fees.get(i).ticket();
        // the status change first: a lock wait, deadlock or conflict on these rows then ends the unit before the
        // processor has run, not after (on Galera, an abort after it would repeat its outside effects)
        int marked = markProcessed(c, ids);
        var guarded = ProcessorConnection.around(c);
        processor.process(guarded.connection(), fees);
        var failure = guarded.failure();
        if (failure != null) throw failure;
        return new Claimed(fees.size(), marked);
    }

    /** Marks the tickets 'Y', runs of consecutive tickets as ranges where the dialect allows, at most {@link Sql#CHUNK} parameters a statement. */
    private int markProcessed(Connection c, long[] tickets) throws SQLException {
        long[] t = tickets.clone();
        Arrays.sort(t);
        boolean byRange = db.dialect.updatesByRange();
        int marked = 0;
        var singles = new long[Sql.CHUNK];
        var ranges = new long[Sql.CHUNK];
        int ns = 0, nr = 0;
        for (int i = 0; i < t.length; ) {
            int j = i;
            // the same ticket again, or (where ranges are used) the next one
            while (j + 1 < t.length && (t[j + 1] == t[j] || (byRange && t[j + 1] - t[j] == 1))) j++;
            if (t[j] == t[i]) singles[ns++] = t[i];
            else {
                ranges[nr++] = t[i];
                ranges[nr++] = t[j];
            }
            i = j + 1;
            if (ns + nr >= Sql.CHUNK - 1 || i == t.length) {
                try (PreparedStatement ps =
                        c.prepareStatement(Sql.markProcessed(db.table, ns, nr / 2, db.dialect.now()))) {
                    int p = 1;
                    for (int k = 0; k < ns; k++) ps.setLong(p++, singles[k]);
                    for (int k = 0; k < nr; k++) ps.setLong(p++, ranges[k]);
                    marked += ps.executeUpdate();
                }
                ns = nr = 0;
            }
        }
        return marked;
    }
}
