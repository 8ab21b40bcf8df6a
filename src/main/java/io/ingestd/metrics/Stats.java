package io.ingestd.metrics;

import io.ingestd.protocol.Reply;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * The daemon's counters, written on the data path (cheap: LongAdder, no locks) and read by status, the
 * Prometheus endpoint and the systemd STATUS line.
 */
public final class Stats {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Stats.class);
    public final LongAdder messages = new LongAdder();
    public final LongAdder recordsReceived = new LongAdder();
    public final LongAdder recordsAcknowledged = new LongAdder();
    public final LongAdder messagesAcknowledged = new LongAdder();
    public final LongAdder recordsRetried = new LongAdder();
    public final LongAdder messagesRetried = new LongAdder();
    public final LongAdder recordsProcessed = new LongAdder();
    public final LongAdder processingDeferred = new LongAdder();
    public final LongAdder commits = new LongAdder();
    private final Map<Reply.Reason, LongAdder> rejected = new EnumMap<>(Reply.Reason.class);
    public final LongAdder databaseFailovers = new LongAdder();
    private volatile String databaseNode = "";
    private volatile long databaseDownSince;
    private volatile String lastError = "";
    private volatile CommitObserver observer = CommitObserver.NONE;

    /** Receives batch sizes and latencies, for histograms; set by the metrics endpoint. */
    public interface CommitObserver {
        void committed(int records, long commitNanos);

        void acknowledged(long ackLatencyNanos);

        CommitObserver NONE = new CommitObserver() {
            @Override
            public void committed(int records, long commitNanos) {}

            @Override
            public void acknowledged(long ackLatencyNanos) {}
        };
    }

    public Stats() {
        for (var r : Reply.Reason.values()) rejected.put(r, new LongAdder());
    }

    public void observe(CommitObserver o) {
        this.observer = o;
    }

    public void received(int records) {
        messages.increment();
        recordsReceived.add(records);
    }

    public void acknowledged(int records, long latencyNanos) {
        messagesAcknowledged.increment();
        recordsAcknowledged.add(records);
        observer.acknowledged(latencyNanos);
    }

    public void committed(int records, long nanos) {
        commits.increment();
        observer.committed(records, nanos);
    }

    public void rejected(Reply.Reason reason) {
        java.util.Objects.requireNonNull(rejected.get(reason)).increment();
    }

    public Map<Reply.Reason, LongAdder> rejectedByReason() {
        return rejected;
    }

    public long rejectedTotal() {
        long n = 0;
        for (var a : rejected.values()) n += a.sum();
        return n;
    }

    public void retried(int records) {
        messagesRetried.increment();
        recordsRetried.add(records);
    }

    public void processed(int records) {
        recordsProcessed.add(records);
    }

    public void processingDeferred(int records) {
        processingDeferred.add(records);
    }

    /** The database became unreachable; logged once per outage (the writers log what they answered meanwhile). */
    public synchronized void databaseDown(String why) {
        if (databaseDownSince == 0) {
            databaseDownSince = System.currentTimeMillis();
            log.warn(
                    "database unavailable: {}; requests are spooled (or answered RETRY with spool=off) until it is back",
                    why);
        }
        error(why);
    }

    /** The database answers (again): the end of an outage is logged with its length. */
    public void databaseUp() {
        if (databaseDownSince == 0) return; // the common case, once per commit: no lock
        synchronized (this) {
            if (databaseDownSince == 0) return;
            log.info(
                    "database available again after {} s",
                    (System.currentTimeMillis() - databaseDownSince + 500) / 1000);
            databaseDownSince = 0;
        }
    }

    /** A transaction committed on database server {@code node} ({@code host:port}). */
    public void databaseNode(String node) {
        databaseNode = node;
    }

    /** A connection was dropped because its database node failed; work goes on on a fresh one. */
    public void databaseFailover() {
        databaseFailovers.increment();
    }

    /** The database server ({@code host:port}) of the last commit, or "" when the driver does not say. */
    public String databaseNode() {
        return databaseNode;
    }

    public boolean isDatabaseDown() {
        return databaseDownSince != 0;
    }

    public void error(String why) {
        lastError = why;
    }

    public String lastError() {
        return lastError;
    }
}
