package io.ingestd.stream;

/**
 * Proleptic Gregorian calendar arithmetic on the message's bytes, so dates and timestamps parse without
 * java.time objects on the hot path (the algorithm is Howard Hinnant's days_from_civil).
 */
final class Civil {
    static final int MIN_YEAR = 1;
    static final int MAX_YEAR = 9999;
    static final long MS_PER_DAY = 86_400_000L;
    /** The first and last millisecond of the years 0001 to 9999 (UTC): the range all three databases store. */
    static final long MIN_MILLIS = daysFromCivil(MIN_YEAR, 1, 1) * MS_PER_DAY;

    static final long MAX_MILLIS = (daysFromCivil(MAX_YEAR, 12, 31) + 1) * MS_PER_DAY - 1;

    private Civil() {}

    static long daysFromCivil(int y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        int era = Math.floorDiv(y, 400);
        int yoe = y - era * 400;
        int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return (long) era * 146_097 + doe - 719_468;
    }

    static boolean isValidDate(int y, int m, int d) {
        return y >= MIN_YEAR && y <= MAX_YEAR && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
    }

    private static int daysInMonth(int y, int m) {
        if (m == 2) return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28;
        return m == 4 || m == 6 || m == 9 || m == 11 ? 30 : 31;
    }

    /** The number in {@code b[from, from + n)} if all are digits, else -1. */
    static int digits(byte[] b, int from, int n) {
        int v = 0;
        for (int i = from; i < from + n; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) return -1;
            v = v * 10 + d;
        }
        return v;
    }

    /** The epoch day of {@code yyyy-mm-dd} at {@code b[from]}, or {@link Long#MIN_VALUE} if it is not a valid date. */
    static long epochDay(byte[] b, int from) {
        if (b[from + 4] != '-' || b[from + 7] != '-') return Long.MIN_VALUE;
        int y = digits(b, from, 4), m = digits(b, from + 5, 2), d = digits(b, from + 8, 2);
        if (y < 0 || m < 0 || d < 0 || !isValidDate(y, m, d)) return Long.MIN_VALUE;
        return daysFromCivil(y, m, d);
    }
}
