package io.ingestd.store;

import io.ingestd.log.RejectLog;
import io.ingestd.metrics.Stats;
import io.ingestd.protocol.Records;
import io.ingestd.protocol.Reply;
import io.ingestd.spool.Spool;
import io.ingestd.spool.SpoolException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Takes groups of messages from the queue, writes all their records in one transaction, commits, and only then
 * answers them: a {@code TRUE} never leaves before its records are committed. The batch grows by itself while a
 * commit is in flight, so commit latency sets the batch size (group commit across all connections).
 *
 * <p>Writes are idempotent (a stored identical record is not written again), so a failed or unknown commit is
 * resolved by simply writing the same messages again on a new connection.
 */
public final class GroupCommitWriter implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final long IDLE_WAIT = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long FIRST_BACKOFF = TimeUnit.MILLISECONDS.toNanos(50);
    // short enough that the writers are back at full rate well within 2 s of the database's return
    private static final long MAX_BACKOFF = TimeUnit.MILLISECONDS.toNanos(500);

    private final Database db;
    private final RequestQueue queue;
    private final ReplyChannel replies;
    private final ProcessingStage processing;
    private final Stats stats;
    private final RejectLog rejects;
    private final String[] insertSql = new String[Sql.CHUNK + 1];
    private volatile int batchMax;
    private volatile long retryWindowNanos;
    private volatile boolean stopping;
    private volatile boolean fastStop;
    private volatile long heartbeatNanos = System.nanoTime();
    private volatile @Nullable Spool spool;
    private long spoolRetryLoggedNanos;
    private List<PendingRequest> current = List.of();

    public GroupCommitWriter(
            Database db,
            RequestQueue queue,
            ReplyChannel replies,
            ProcessingStage processing,
            Stats stats,
            RejectLog rejects,
            int batchMax,
            Duration retryWindow) {
        this.db = db;
        this.queue = queue;
        this.replies = replies;
        this.processing = processing;
        this.stats = stats;
        this.rejects = rejects;
        reconfigure(batchMax, retryWindow);
    }

    public void reconfigure(int batchMax, Duration retryWindow) {
        this.batchMax = batchMax;
        this.retryWindowNanos = retryWindow.toNanos();
    }

    /**
     * With a spool, groups the database cannot take (it is away) are appended to it and acknowledged once on disk,
     * and this writer drains it, one spooled group after each group of new traffic, while the database answers.
     */
    public void spoolTo(Spool spool) {
        this.spool = spool;
    }

    /** Finish what is queued, then end. */
    public void stop() {
        stopping = true;
    }

    /** Stop writing: answer everything still queued with RETRY. */
    public void stopFast() {
        fastStop = true;
        stopping = true;
    }

    /** When the writer last came round its loop; a stuck writer stops the systemd watchdog pings. */
    public long heartbeatNanos() {
        return heartbeatNanos;
    }

    @Override
    public void run() {
        try {
            while (!(stopping && queue.isEmpty())) {
                heartbeatNanos = System.nanoTime();
                var sp = spool;
                boolean draining = sp != null && !fastStop && databaseAvailable() && sp.hasUnclaimed();
                List<PendingRequest> batch = queue.take(batchMax, draining ? 0 : IDLE_WAIT);
                if (!batch.isEmpty()) {
                    current = batch;
                    if (FAIL_ON_TICKET != Long.MIN_VALUE) failIfInjected(batch);
                    if (fastStop) retryAll(batch, "shutting down");
                    else write(batch);
                    current = List.of();
                    replies.complete(batch);
                }
                // alternating with new traffic: neither starves the other
                if (draining && sp != null) drainOnce(sp);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean databaseAvailable() {
        return !stats.isDatabaseDown() && db.isMigrated();
    }

    /**
     * This writer's thread failed (see the daemon's Supervisor): answers RETRY what it took and had not answered
     * (what it had answered is committed, so that answer stands) and hands the group back to the socket.
     */
    public void failed(Throwable cause) {
        var batch = current;
        current = List.of();
        for (var r : batch) if (r.reply() == null) retry(r, "internal error in the writer (see the daemon's log)");
        replies.complete(batch);
    }

    /** Test hook: a group holding this ticket makes the writer's thread fail with an Error (SupervisorIT). */
    private static final long FAIL_ON_TICKET = Long.getLong("ingestd.test.fail-writer-on-ticket", Long.MIN_VALUE);

    private static void failIfInjected(List<PendingRequest> batch) {
        for (var r : batch) {
            for (int i = 0; i < r.records().size(); i++) {
                if (r.records().ticket(i) == FAIL_ON_TICKET) throw new AssertionError("injected writer failure");
            }
        }
    }

    private void write(List<PendingRequest> batch) throws InterruptedException {
        var sp = spool;
        if (sp != null) {
            batch = rejectSpoolConflicts(batch, sp);
            if (!databaseAvailable()) {
                spool(
                        batch,
                        sp,
                        "database unavailable: " + (db.isMigrated() ? stats.lastError() : "not reached since start"));
                return;
            }
        }
        List<PendingRequest> todo = expireWhileDown(batch);
        long deadline = Long.MAX_VALUE;
        for (var r : todo) deadline = Math.min(deadline, r.receivedNanos() + retryWindowNanos);
        long backoff = FIRST_BACKOFF;
        while (!todo.isEmpty()) {
            heartbeatNanos = System.nanoTime();
            try {
                todo = writeOnce(todo);
                stats.databaseUp();
                backoff = FIRST_BACKOFF;
            } catch (SQLException e) {
                String why = SqlFailure.describe(e);
                if (SqlErrors.isData(e) && todo.size() > 1) {
                    log.warn("a group of {} messages failed ({}); writing each on its own", todo.size(), why);
                    for (var r : todo) write(List.of(r));
                    return;
                }
                // a Galera certification conflict (the same ticket at once through another node) or a deadlock
                // was rolled back whole, and writing it again is the answer (then the stored row is compared): the
                // database is not down
                if (!SqlErrors.isConflict(e)) {
                    stats.databaseDown(why);
                    if (sp != null && SqlErrors.isAvailability(e)) {
                        spool(todo, sp, "database unavailable: " + why);
                        return;
                    }
                }
                if (System.nanoTime() + backoff > deadline || fastStop) {
                    log.warn("database unavailable for {} messages, answering RETRY: {}", todo.size(), why);
                    retryAll(todo, "database unavailable: " + why);
                    return;
                }
                log.debug("write failed, retrying in {} ms: {}", TimeUnit.NANOSECONDS.toMillis(backoff), why);
                TimeUnit.NANOSECONDS.sleep(backoff);
                backoff = Math.min(backoff * 2, MAX_BACKOFF);
            }
        }
    }

    /** While the database is known to be down, messages that already waited a whole retry window get RETRY at once. */
    private List<PendingRequest> expireWhileDown(List<PendingRequest> batch) {
        if (!stats.isDatabaseDown()) return batch;
        long now = System.nanoTime();
        var live = new ArrayList<PendingRequest>(batch.size());
        for (var r : batch) {
            if (now - r.receivedNanos() > retryWindowNanos) retry(r, "database unavailable: " + stats.lastError());
            else live.add(r);
        }
        return live;
    }

    /**
     * One transaction for the group. Returns the messages to write in a following round: those holding a ticket
     * that an earlier message of the group has with other values (so the database, not the order in the group,
     * decides which is the conflict), and, after a conflict with stored rows, the untouched rest of the group.
     */
    private List<PendingRequest> writeOnce(List<PendingRequest> group) throws SQLException {
        var rows = Rows.of(group);
        boolean oneStatement = rows.count <= Sql.CHUNK && oneRecordEach(group);
        try (Connection c = oneStatement ? db.autocommitConnection() : db.connection()) {
            try {
                var session = Session.of(c);
                int inserted = insert(c, rows);
                if (inserted < rows.count && markStoredConflicts(c, rows)) {
                    // autocommit: the rows went in, but each message is one record, so a conflicting message
                    // stored nothing; the others are answered in the next round (identical rows, written again)
                    if (!oneStatement) c.rollback();
                    return rejectConflicts(group, rows);
                }
                if (!oneStatement) Database.commit(c, session, stats);
                else noteAutocommitted(c, session);
            } catch (SQLException | RuntimeException e) {
                // nothing continues after a failure: the group is written again whole, in a new transaction
                db.discard(c, oneStatement, e, stats);
                throw e;
            }
        }
        long now = System.nanoTime();
        int records = 0;
        var later = rows.deferred(group);
        for (int i = 0; i < group.size(); i++) {
            var r = group.get(i);
            if (rows.state[i] == Rows.ACCEPTED) {
                r.answer(Reply.Ack.INSTANCE);
                records += r.records().size();
                if (!r.isSpooled()) stats.acknowledged(r.records().size(), now - r.receivedNanos());
            } else if (rows.state[i] == Rows.SELF_CONFLICT) {
                if (r.isDivisible()) later.addAll(r.eachRecord());
                else reject(r, rows.selfConflictDetail(r));
            }
        }
        stats.committed(records, now - rows.startedNanos);
        if (!processing.processesAtInsert()) processing.submit(rows.acceptedTickets());
        else stats.processed(rows.acceptedTickets().length); // inserted as 'Y': the commit was the processing
        return later;
    }

    /**
     * An autocommitted statement is its own transaction, so the driver may run it again on the next host of a
     * multi-host URL after its node failed (an idempotent insert: harmless); such a move still counts as a failover.
     */
    private void noteAutocommitted(Connection c, Session before) {
        var after = Session.of(c);
        if (!after.equals(before)) stats.databaseFailover();
        if (!after.host().isEmpty()) stats.databaseNode(after.host());
    }

    /**
     * True if every message holds one record: then one autocommitted statement is as atomic as a transaction
     * (no message can be half stored), and saves the commit's round trip, which is most of what a lock-step
     * client waits for beyond the database's own flush.
     */
    private static boolean oneRecordEach(List<PendingRequest> group) {
        for (var r : group) if (r.records().size() != 1) return false;
        return true;
    }

    private int insert(Connection c, Rows rows) throws SQLException {
        int total = 0;
        for (int from = 0; from < rows.count; from += Sql.CHUNK) {
            int n = Math.min(Sql.CHUNK, rows.count - from);
            String sql = insertSql[n];
            if (sql == null)
                sql = insertSql[n] = db.dialect.insertIgnore(db.table, n, processing.processesAtInsert(), db.node);
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                int p = 1;
                for (int i = from; i < from + n; i++) {
                    ps.setLong(p++, rows.tickets[i]);
                    ps.setLong(p++, rows.logins[i]);
                    ps.setBigDecimal(p++, BigDecimal.valueOf(rows.volumes[i], Records.VOLUME_SCALE));
                }
                total += ps.executeUpdate();
            }
        }
        return total;
    }

    /** Some tickets were already stored: compare them with ours. True if any differs (a conflict). */
    private boolean markStoredConflicts(Connection c, Rows rows) throws SQLException {
        boolean any = false;
        for (int from = 0; from < rows.count; from += Sql.CHUNK) {
            int n = Math.min(Sql.CHUNK, rows.count - from);
            try (PreparedStatement ps = c.prepareStatement(Sql.selectByTickets(db.table, n))) {
                for (int i = 0; i < n; i++) ps.setLong(i + 1, rows.tickets[from + i]);
                try (var rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int pos = rows.index.get(rs.getLong(1));
                        long volume = rs.getBigDecimal(3)
                                .setScale(Records.VOLUME_SCALE)
                                .unscaledValue()
                                .longValueExact();
                        if (pos >= 0 && (rs.getLong(2) != rows.logins[pos] || volume != rows.volumes[pos])) {
                            rows.conflicted[pos] = true;
                            rows.storedLogin[pos] = rs.getLong(2);
                            any = true;
                        }
                    }
                }
            }
        }
        return any;
    }

    private List<PendingRequest> rejectConflicts(List<PendingRequest> group, Rows rows) {
        var again = new ArrayList<PendingRequest>(group.size());
        for (int i = 0; i < group.size(); i++) {
            var r = group.get(i);
            String conflict = rows.state[i] == Rows.ACCEPTED ? rows.storedConflict(r) : null;
            boolean self = rows.state[i] == Rows.SELF_CONFLICT;
            // a spooled message was acknowledged record by record: its other records are still to be stored
            if ((conflict != null || self) && r.isDivisible()) again.addAll(r.eachRecord());
            else if (conflict != null) reject(r, conflict);
            else if (self) reject(r, rows.selfConflictDetail(r));
            else again.add(r);
        }
        return again;
    }

    private void reject(PendingRequest r, String detail) {
        if (r.isSpooled()) {
            rejectSpooled(r, detail + " (found when the spool was written to the database; acknowledged TRUE before)");
            return;
        }
        var reject = Reply.reject(Reply.Reason.CONFLICT, detail);
        r.answer(reject);
        stats.rejected(reject.reason());
        rejects.write(r.replyTo(), reject, rawText(r.records()));
    }

    /** While the spool holds messages, one that conflicts with them is answered FALSE at once. */
    private List<PendingRequest> rejectSpoolConflicts(List<PendingRequest> batch, Spool sp) {
        if (!sp.hasPending()) return batch;
        var rest = new ArrayList<PendingRequest>(batch.size());
        for (var r : batch) {
            String conflict = sp.conflict(r.records());
            if (conflict == null) rest.add(r);
            else reject(r, conflict);
        }
        return rest;
    }

    /** The database cannot take the group: TRUE once it is on disk in the spool, RETRY if it cannot be. */
    private void spool(List<PendingRequest> group, Spool sp, String why) {
        if (group.isEmpty()) return;
        var messages = new ArrayList<Records>(group.size());
        for (var r : group) messages.add(r.records());
        try {
            String[] verdicts = sp.append(messages, why);
            long now = System.nanoTime();
            for (int i = 0; i < group.size(); i++) {
                var r = group.get(i);
                if (verdicts[i] != null) {
                    reject(r, verdicts[i]);
                    continue;
                }
                r.answer(Reply.Ack.INSTANCE);
                stats.acknowledged(r.records().size(), now - r.receivedNanos());
            }
        } catch (SpoolException e) {
            long now = System.nanoTime();
            if (now - spoolRetryLoggedNanos > TimeUnit.SECONDS.toNanos(10)) {
                spoolRetryLoggedNanos = now;
                log.error("{} messages answered RETRY: {} ({})", group.size(), e.getMessage(), why);
            }
            stats.error(String.valueOf(e.getMessage()));
            retryAll(group, String.valueOf(e.getMessage()));
        }
    }

    /**
     * Writes one claimed group of the spool to the database; gives it back if the database goes away again. Each
     * spooled record was acknowledged, so a record that conflicts with a stored row is rejected alone (rejects.log,
     * one line each) and the others of its message are stored; a record stored identically is no conflict.
     */
    private void drainOnce(Spool sp) {
        var claim = sp.claim(batchMax);
        if (claim == null) return;
        long now = System.nanoTime();
        var group = new ArrayList<PendingRequest>(claim.messages().size());
        for (var m : claim.messages()) group.add(PendingRequest.spooled(m, now));
        try {
            try {
                for (List<PendingRequest> todo = group; !todo.isEmpty(); ) todo = writeOnce(todo);
            } catch (SQLException e) {
                if (!SqlErrors.isData(e)) throw e;
                for (var r : group) if (r.reply() == null) drainAlone(r);
            }
            sp.committed(claim);
            stats.databaseUp();
        } catch (SQLException e) {
            stats.databaseDown(SqlFailure.describe(e));
            sp.release(claim);
        }
    }

    private void drainAlone(PendingRequest r) throws SQLException {
        try {
            for (List<PendingRequest> todo = List.of(r); !todo.isEmpty(); ) todo = writeOnce(todo);
        } catch (SQLException e) {
            if (!SqlErrors.isData(e)) throw e;
            if (r.isDivisible()) {
                for (var one : r.eachRecord()) drainAlone(one);
                return;
            }
            rejectSpooled(r, "the database refused it: " + SqlFailure.describe(e));
        }
    }

    /** A spooled record the database will not take: it was acknowledged, so it goes to rejects.log and the log. */
    private void rejectSpooled(PendingRequest r, String detail) {
        var reject = Reply.reject(Reply.Reason.CONFLICT, detail);
        r.answer(reject);
        var sp = spool;
        if (sp != null) sp.conflictAtDrain(r.records());
        rejects.write(null, reject, rawText(r.records()));
        log.error("spooled record not stored: {}; it is in rejects.log (ingestd replay sends it again)", detail);
    }

    /** Answers RETRY requests no writer will take (their writers failed) and hands them back to the socket. */
    public static void retryAll(List<PendingRequest> requests, String why, Stats stats, ReplyChannel replies) {
        if (requests.isEmpty()) return;
        for (var r : requests) {
            r.answer(new Reply.Retry(why));
            stats.retried(r.records().size());
        }
        replies.complete(requests);
    }

    private void retryAll(List<PendingRequest> requests, String why) {
        for (var r : requests) retry(r, why);
    }

    private void retry(PendingRequest r, String why) {
        r.answer(new Reply.Retry(why));
        stats.retried(r.records().size());
    }

    private static String rawText(Records records) {
        var sb = new StringBuilder();
        for (int i = 0; i < records.size() && sb.length() < 512; i++)
            sb.append(records.line(i)).append('\n');
        return sb.toString();
    }
}
