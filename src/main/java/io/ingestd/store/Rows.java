package io.ingestd.store;

import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The distinct records of a group of messages, column-wise, with the fate of each message: accepted, deferred
 * to a later round (a ticket an earlier message of the group has with other values) or conflicting with itself.
 * A message is atomic: all its records go in, or none.
 */
final class Rows {
    static final byte ACCEPTED = 0, DEFERRED = 1, SELF_CONFLICT = 2;

    final long[] tickets;
    final long[] logins;
    final long[] volumes;
    final boolean[] conflicted;
    final long[] storedLogin;
    final byte[] state;
    final LongIntMap index;
    final long startedNanos = System.nanoTime();
    int count;

    private Rows(int records, int messages) {
        tickets = new long[records];
        logins = new long[records];
        volumes = new long[records];
        conflicted = new boolean[records];
        storedLogin = new long[records];
        state = new byte[messages];
        index = new LongIntMap(records);
    }

    static Rows of(List<PendingRequest> group) {
        int total = 0;
        for (var r : group) total += r.records().size();
        var rows = new Rows(total, group.size());
        for (int i = 0; i < group.size(); i++) rows.state[i] = rows.add(group.get(i));
        return rows;
    }

    private byte add(PendingRequest request) {
        var rec = request.records();
        int mark = count;
        for (int j = 0; j < rec.size(); j++) {
            long t = rec.ticket(j);
            int pos = find(t);
            if (pos < 0) {
                tickets[count] = t;
                logins[count] = rec.login(j);
                volumes[count] = rec.volumeUnits(j);
                index.put(t, count++);
            } else if (logins[pos] != rec.login(j) || volumes[pos] != rec.volumeUnits(j)) {
                count = mark; // undo this message's rows: it is written in a later round, or rejected
                return pos >= mark ? SELF_CONFLICT : DEFERRED;
            }
        }
        return ACCEPTED;
    }

    /** The row of a ticket, or -1; index entries of undone rows are recognised by the ticket no longer matching. */
    int find(long ticket) {
        int pos = index.get(ticket);
        return pos >= 0 && pos < count && tickets[pos] == ticket ? pos : -1;
    }

    long[] acceptedTickets() {
        return Arrays.copyOf(tickets, count);
    }

    List<PendingRequest> deferred(List<PendingRequest> group) {
        var later = new ArrayList<PendingRequest>();
        for (int i = 0; i < group.size(); i++) if (state[i] == DEFERRED) later.add(group.get(i));
        return later;
    }

    /** The conflict of a message with stored rows, or null if it has none. */
    @Nullable
    String storedConflict(PendingRequest r) {
        var rec = r.records();
        for (int j = 0; j < rec.size(); j++) {
            int pos = find(rec.ticket(j));
            if (pos >= 0 && conflicted[pos]) {
                return "conflict: " + line(rec.size(), j) + "ticket " + rec.ticket(j)
                        + " is already stored with a different login or volume";
            }
        }
        return null;
    }

    String selfConflictDetail(PendingRequest r) {
        var rec = r.records();
        for (int j = 1; j < rec.size(); j++) {
            for (int k = 0; k < j; k++) {
                if (rec.ticket(k) == rec.ticket(j)) {
                    return "conflict: line " + (j + 1) + ": ticket " + rec.ticket(j) + " repeats line " + (k + 1)
                            + " with a different login or volume";
                }
            }
        }
        return "conflict: a ticket repeats with a different login or volume";
    }

    private static String line(int size, int j) {
        return size > 1 ? "line " + (j + 1) + ": " : "";
    }
}
