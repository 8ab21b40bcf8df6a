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
    private volatile Reply reply;

    public PendingRequest(Records records, Object route, long receivedNanos) {
        this.records = records;
        this.route = route;
        this.receivedNanos = receivedNanos;
    }

    public Records records() { return records; }
    public Object route() { return route; }
    public long receivedNanos() { return receivedNanos; }
    public Reply reply() { return reply; }
    void answer(Reply r) { this.reply = r; }
}
