package io.ingestd.store;

import io.ingestd.Fee;
import io.ingestd.FeeProcessor;
import io.ingestd.metrics.Stats;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves committed records from 'N' to 'Y': claims them (SELECT ... FOR UPDATE SKIP LOCKED, so two nodes on one
 * database never process the same row), runs the {@link FeeProcessor} and marks them 'Y' in one transaction.
 * Fresh batches come from the writers; a periodic sweep picks up rows left 'N' by a crash or by another node.
 * It never slows the acknowledgements: when it lags, fresh batches are left to the sweep.
 */
public final class ProcessingStage implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(ProcessingStage.class);

    private final Database db;
    private final FeeProcessor processor;
    private final Stats stats;
    private static final int MAX_GATHER = 20_000;
    private static final int SWEEP_CHUNK = 5_000;
    private final BlockingQueue<long[]> fresh = new ArrayBlockingQueue<>(1024);
    private volatile long sweepIntervalNanos;
    private volatile long lingerNanos;
    private static final long STOP_BUDGET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private volatile boolean stopping;
    private volatile long stopDeadline;
    private volatile long heartbeatNanos = System.nanoTime();

    private final boolean inline;

    public ProcessingStage(Database db, Stats stats, Duration sweepInterval, Duration linger,
                           boolean inlineWhenNoProcessor) {
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
    boolean processesAtInsert() { return inline; }

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

    public long heartbeatNanos() { return heartbeatNanos; }

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
                // the rows stay 'N' and the next sweep takes them; never let this thread die
                // during an outage the probe has logged it once; repeating it every sweep says nothing new
                String why = GroupCommitWriter.describe(e instanceof SQLException s ? s : new SQLException(e));
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

    /** Processes rows left 'N' (e.g. by a crash between commit and processing, or handed over while behind). */
    public int sweep() throws SQLException {
        int total = 0;
        while (true) {
            Claimed n;
            try (Connection c = db.connection()) {
                try (PreparedStatement ps = c.prepareStatement(Sql.claimAny(db.table, SWEEP_CHUNK))) {
                    n = processClaimed(c, ps);
                }
                c.commit();
            }
            stats.processed(n.marked()); // counted once committed: a failed commit is processed again later
            total += n.claimed();
            if (n.claimed() < SWEEP_CHUNK || stopping) break;
        }
        if (total > 0) log.info("processed {} rows left 'N'", total);
        return total;
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
        int marked = 0;
        try (Connection c = db.connection()) {
            if (processor.needsRecords()) {
                for (int from = 0; from < tickets.length; from += Sql.CHUNK) {
                    int n = Math.min(Sql.CHUNK, tickets.length - from);
                    try (PreparedStatement ps = c.prepareStatement(Sql.claim(db.table, n))) {
                        for (int i = 0; i < n; i++) ps.setLong(i + 1, tickets[from + i]);
                        marked += processClaimed(c, ps).marked();
                    }
                }
            } else {
                marked = markProcessed(c, tickets);
            }
            c.commit();
        }
        stats.processed(marked);
    }

    /** Rows a claim query returned, and how many of them were marked 'Y'. */
    private record Claimed(int claimed, int marked) {}

    /** Runs the claim query, the processor, and marks the claimed rows 'Y'; the caller commits, then counts. */
    private Claimed processClaimed(Connection c, PreparedStatement claim) throws SQLException {
        var fees = new ArrayList<Fee>();
        try (var rs = claim.executeQuery()) {
            while (rs.next()) fees.add(new Fee(rs.getLong(1), rs.getLong(2), rs.getBigDecimal(3)));
        }
        if (fees.isEmpty()) return new Claimed(0, 0);
        processor.process(c, fees);
        long[] ids = new long[fees.size()];
        for (int i = 0; i < ids.length; i++) ids[i] = fees.get(i).ticket();
        return new Claimed(fees.size(), markProcessed(c, ids));
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
            while (j + 1 < t.length && (t[j + 1] == t[j] || byRange && t[j + 1] - t[j] == 1)) j++;
            if (t[j] == t[i]) singles[ns++] = t[i];
            else {
                ranges[nr++] = t[i];
                ranges[nr++] = t[j];
            }
            i = j + 1;
            if (ns + nr >= Sql.CHUNK - 1 || i == t.length) {
                try (PreparedStatement ps = c.prepareStatement(Sql.markProcessed(db.table, ns, nr / 2, db.dialect.now()))) {
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
