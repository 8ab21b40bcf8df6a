package io.ingestd.spool;

/**
 * What the spool holds for each ticket (a hash of login and volume), to answer a conflicting re-send FALSE at once
 * while the database is away. Bounded: at most {@link #LIMIT} tickets (about 17 MiB, allocated on first use);
 * tickets beyond it are not remembered, and their conflicts are found when the spool is drained.
 */
@SuppressWarnings(
        "NullAway") // the three arrays are allocated on first use and dropped together; keys == null guards them
final class TicketIndex {
    static final int CAPACITY = 1 << 20;
    static final int LIMIT = CAPACITY / 4 * 3;
    private static final byte EMPTY = 0, LIVE = 1, FORGOTTEN = 2;

    private long[] keys;
    private long[] values;
    private byte[] state;
    private int used;

    static long valueOf(long login, long volumeUnits) {
        long h = login * 0x9E3779B97F4A7C15L ^ Long.rotateLeft(volumeUnits * 0xC2B2AE3D27D4EB4FL, 31);
        return h ^ (h >>> 29);
    }

    /** 1 if the ticket is held with the same values, -1 if with other values, 0 if unknown. */
    int compare(long ticket, long value) {
        if (keys == null) return 0;
        int i = slot(ticket);
        if (i < 0 || state[i] != LIVE) return 0;
        return values[i] == value ? 1 : -1;
    }

    /** Remembers a ticket's values (first one wins), unless the index is full. */
    void put(long ticket, long value) {
        if (keys == null) {
            keys = new long[CAPACITY];
            values = new long[CAPACITY];
            state = new byte[CAPACITY];
        }
        int i = slot(ticket);
        if (i >= 0) {
            if (state[i] == FORGOTTEN) {
                state[i] = LIVE;
                values[i] = value;
            }
            return;
        }
        if (used >= LIMIT) return;
        for (int j = mix(ticket); ; j = (j + 1) & (CAPACITY - 1)) {
            if (state[j] == EMPTY) {
                keys[j] = ticket;
                values[j] = value;
                state[j] = LIVE;
                used++;
                return;
            }
        }
    }

    /** The ticket's values are no longer known (e.g. rejected at drain): its next re-send is spooled again. */
    void forget(long ticket) {
        if (keys == null) return;
        int i = slot(ticket);
        if (i >= 0) state[i] = FORGOTTEN;
    }

    void clear() {
        keys = null;
        values = null;
        state = null;
        used = 0;
    }

    int size() {
        return used;
    }

    private int slot(long ticket) {
        for (int j = mix(ticket); ; j = (j + 1) & (CAPACITY - 1)) {
            if (state[j] == EMPTY) return -1;
            if (keys[j] == ticket) return j;
        }
    }

    private static int mix(long k) {
        long h = k * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 44) & (CAPACITY - 1);
    }
}
