package io.ingestd.protocol;

import java.math.BigDecimal;

/**
 * The records of one message, column-wise: one object per message instead of one per record keeps the
 * hot path free of per-record allocation. Volumes are fixed-point with {@link #VOLUME_SCALE} decimals.
 */
public final class Records {
    public static final int VOLUME_SCALE = 4;

    private final long[] tickets;
    private final long[] logins;
    private final long[] volumes;
    private int size;

    public Records(int capacity) {
        tickets = new long[capacity];
        logins = new long[capacity];
        volumes = new long[capacity];
    }

    public static Records of(long ticket, long login, long volumeUnits) {
        var r = new Records(1);
        r.add(ticket, login, volumeUnits);
        return r;
    }

    public void add(long ticket, long login, long volumeUnits) {
        tickets[size] = ticket;
        logins[size] = login;
        volumes[size] = volumeUnits;
        size++;
    }

    public int size() {
        return size;
    }

    public long ticket(int i) {
        return tickets[i];
    }

    public long login(int i) {
        return logins[i];
    }
    /** The volume in units of 10^-4. */
    public long volumeUnits(int i) {
        return volumes[i];
    }

    public BigDecimal volume(int i) {
        return BigDecimal.valueOf(volumes[i], VOLUME_SCALE);
    }

    /** The CSV line of record {@code i}, as a client would send it. */
    public String line(int i) {
        return tickets[i] + "," + logins[i] + ","
                + volume(i).stripTrailingZeros().toPlainString();
    }
}
