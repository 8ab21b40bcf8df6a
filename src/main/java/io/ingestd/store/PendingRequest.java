package io.ingestd.store;

import io.ingestd.protocol.Records;
import io.ingestd.protocol.Reply;

/**
 * One request message on its way from the socket to the database and back: its records, where the reply goes
 * (opaque to the store) and, once the writer is done, the reply.
 */
public final class PendingRequest {
    private final Records records;
    private final Object route;
    private final long receivedNanos;
    private final boolean spooled;
    private volatile Reply reply;

    public PendingRequest(Records records, Object route, long receivedNanos) {
        this(records, route, receivedNanos, false);
    }

    private PendingRequest(Records records, Object route, long receivedNanos, boolean spooled) {
        this.records = records;
        this.route = route;
        this.receivedNanos = receivedNanos;
        this.spooled = spooled;
    }

    /** A message read back from the spool: it was acknowledged long ago and has no one to answer. */
    static PendingRequest spooled(Records records, long nowNanos) { return new PendingRequest(records, null, nowNanos, true); }

    boolean isSpooled() { return spooled; }

    public Records records() { return records; }
    public Object route() { return route; }
    public long receivedNanos() { return receivedNanos; }
    public Reply reply() { return reply; }
    void answer(Reply r) { this.reply = r; }
}
