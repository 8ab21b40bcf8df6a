package io.ingestd.store;

import io.ingestd.protocol.Records;
import io.ingestd.protocol.Reply;
import io.ingestd.protocol.ReplyTo;
import org.jspecify.annotations.Nullable;

/**
 * One request message on its way from the socket to the database and back: its records, where the reply goes
 * (passed through by the store) and, once the writer is done, the reply.
 */
public final class PendingRequest {
    private final Records records;
    private final @Nullable ReplyTo replyTo;
    private final long receivedNanos;
    private final boolean spooled;
    private volatile @Nullable Reply reply;

    public PendingRequest(Records records, ReplyTo replyTo, long receivedNanos) {
        this(records, replyTo, receivedNanos, false);
    }

    private PendingRequest(Records records, @Nullable ReplyTo replyTo, long receivedNanos, boolean spooled) {
        this.records = records;
        this.replyTo = replyTo;
        this.receivedNanos = receivedNanos;
        this.spooled = spooled;
    }

    /** A message read back from the spool: it was acknowledged long ago and has no one to answer. */
    static PendingRequest spooled(Records records, long nowNanos) {
        return new PendingRequest(records, null, nowNanos, true);
    }

    boolean isSpooled() {
        return spooled;
    }

    /**
     * A spooled message of several records as one request per record. Its {@code TRUE} promised each record, not
     * the message whole: at the drain a record that conflicts with a stored row must not take the others with it.
     */
    java.util.List<PendingRequest> eachRecord() {
        var one = new java.util.ArrayList<PendingRequest>(records.size());
        for (int i = 0; i < records.size(); i++) {
            var r = Records.of(records.ticket(i), records.login(i), records.volumeUnits(i));
            one.add(new PendingRequest(r, replyTo, receivedNanos, spooled));
        }
        return one;
    }

    /** A spooled message that holds more than one record: the drain writes its records one by one on a conflict. */
    boolean isDivisible() {
        return spooled && records.size() > 1;
    }

    public Records records() {
        return records;
    }

    /** Null for a request read back from the spool: its sender was answered when it was spooled. */
    public @Nullable ReplyTo replyTo() {
        return replyTo;
    }

    public long receivedNanos() {
        return receivedNanos;
    }

    /** Null until the request is answered. */
    public @Nullable Reply reply() {
        return reply;
    }

    void answer(Reply r) {
        this.reply = r;
    }
}
