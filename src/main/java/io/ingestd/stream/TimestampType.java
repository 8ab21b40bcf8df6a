package io.ingestd.stream;

import io.ingestd.stream.Rejection.Problem;
import org.jspecify.annotations.Nullable;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * An instant, kept as UTC epoch milliseconds. Accepted: ISO-8601 {@code yyyy-mm-ddThh:mm:ss[.fff]} with
 * {@code Z} or {@code +hh:mm}, or epoch milliseconds. A time without an offset is read in the stream's
 * {@code time-zone} and rejected if it has none, or if that zone skips or repeats the time (a daylight-saving
 * change): guessing an offset would store a wrong instant silently. Digits below the millisecond must be zero.
 */
public record TimestampType(@Nullable ZoneId zone) implements FieldType {
    public static final TimestampType UTC_ONLY = new TimestampType(null);
    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);
    private static final int MAX_MILLIS_DIGITS = 15;

    @Override
    public String declaration() {
        return "timestamp";
    }

    @Override
    public String sqlType(Dialect dialect) {
        return switch (dialect) {
            // MariaDB's TIMESTAMP ends in 2038 and converts with the session's zone; DATETIME(3) holds UTC as is
            case MARIADB -> "DATETIME(3)";
            case POSTGRESQL -> "TIMESTAMPTZ";
            case H2 -> "TIMESTAMP WITH TIME ZONE";
        };
    }

    @Override
    public int sqlNullType(Dialect dialect) {
        return dialect == Dialect.MARIADB ? Types.TIMESTAMP : Types.TIMESTAMP_WITH_TIMEZONE;
    }

    @Override
    public boolean storesLong() {
        return true;
    }

    @Override
    public @Nullable Rejection parse(byte[] b, int from, int to, Column column, int row) {
        int f = Bytes.skipSpace(b, from, to);
        int t = Bytes.trimSpace(b, f, to);
        boolean negative = f < t && b[f] == '-';
        long millis;
        if (Bytes.allDigits(b, negative ? f + 1 : f, t)) {
            millis = epochMillis(b, negative ? f + 1 : f, t, negative);
        } else {
            long local = isoLocal(b, f, t);
            if (local == BAD) return reject(Problem.NOT_A_VALUE, b, from, to);
            if (local == SUB_MILLIS) return reject(Problem.TOO_MANY_DIGITS, b, from, to);
            int offset = offsetSeconds(b, afterFraction(b, f, t), t);
            if (offset == BAD_OFFSET) return reject(Problem.NOT_A_VALUE, b, from, to);
            millis = offset == NO_OFFSET ? inZone(local) : local - offset * 1000L;
            if (millis == NO_ZONE) return reject(Problem.NO_OFFSET, b, from, to);
            if (millis == GAP || millis == OVERLAP) return reject(Problem.NO_OFFSET, b, from, to, millis);
        }
        if (millis < Civil.MIN_MILLIS || millis > Civil.MAX_MILLIS) {
            return new Rejection(
                    Problem.OUT_OF_RANGE, Bytes.show(b, from, to) + " is outside the years 0001 to 9999 (UTC)");
        }
        column.setLong(row, millis);
        return null;
    }

    // Sentinels outside any valid range, so parsing reports without exceptions or a result object.
    private static final long BAD = Long.MIN_VALUE, SUB_MILLIS = Long.MIN_VALUE + 1;
    private static final long NO_ZONE = Long.MIN_VALUE + 2, GAP = Long.MIN_VALUE + 3, OVERLAP = Long.MIN_VALUE + 4;
    private static final int NO_OFFSET = Integer.MAX_VALUE, BAD_OFFSET = Integer.MIN_VALUE;

    private static long epochMillis(byte[] b, int from, int to, boolean negative) {
        while (from < to - 1 && b[from] == '0') from++;
        if (to - from > MAX_MILLIS_DIGITS) return negative ? Long.MIN_VALUE + 5 : Long.MAX_VALUE;
        long v = 0;
        for (int i = from; i < to; i++) v = v * 10 + (b[i] - '0');
        return negative ? -v : v;
    }

    /** {@code yyyy-mm-ddThh:mm:ss[.fffffffff]} at {@code f} as milliseconds since 1970-01-01T00:00 (no offset). */
    private static long isoLocal(byte[] b, int f, int t) {
        if (t - f < 19) return BAD;
        long day = Civil.epochDay(b, f);
        byte sep = b[f + 10];
        if (day == Long.MIN_VALUE || (sep != 'T' && sep != 't' && sep != ' ')) return BAD;
        if (b[f + 13] != ':' || b[f + 16] != ':') return BAD;
        int h = Civil.digits(b, f + 11, 2), m = Civil.digits(b, f + 14, 2), s = Civil.digits(b, f + 17, 2);
        if (h < 0 || h > 23 || m < 0 || m > 59 || s < 0 || s > 59) return BAD;
        int p = f + 19, ms = 0;
        if (p < t && b[p] == '.') {
            int k = afterFraction(b, f, t);
            int n = k - p - 1;
            if (n < 1 || n > 9) return BAD;
            for (int i = 0; i < 3; i++) ms = ms * 10 + (i < n ? b[p + 1 + i] - '0' : 0);
            for (int i = p + 4; i < k; i++) if (b[i] != '0') return SUB_MILLIS;
        }
        return day * Civil.MS_PER_DAY + ((h * 60L + m) * 60 + s) * 1000 + ms;
    }

    /** Where the offset starts: after the seconds and their fraction, if any. */
    private static int afterFraction(byte[] b, int f, int t) {
        int p = f + 19;
        if (p >= t || b[p] != '.') return p;
        p++;
        while (p < t && b[p] >= '0' && b[p] <= '9') p++;
        return p;
    }

    /** {@code Z} or {@code +hh:mm} from {@code p} to the end, in seconds; or none, or not an offset. */
    private static int offsetSeconds(byte[] b, int p, int t) {
        if (p == t) return NO_OFFSET;
        if ((b[p] == 'Z' || b[p] == 'z') && p + 1 == t) return 0;
        if ((b[p] != '+' && b[p] != '-') || t - p != 6 || b[p + 3] != ':') return BAD_OFFSET;
        int oh = Civil.digits(b, p + 1, 2), om = Civil.digits(b, p + 4, 2);
        if (oh < 0 || oh > 18 || om < 0 || om > 59 || (oh == 18 && om > 0)) return BAD_OFFSET;
        return (b[p] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    }

    private long inZone(long localMillis) {
        var z = zone;
        if (z == null) return NO_ZONE;
        var ldt = LocalDateTime.ofEpochSecond(
                Math.floorDiv(localMillis, 1000), Math.floorMod(localMillis, 1000) * 1_000_000, ZoneOffset.UTC);
        var offsets = z.getRules().getValidOffsets(ldt);
        if (offsets.isEmpty()) return GAP;
        if (offsets.size() > 1) return OVERLAP;
        return localMillis - offsets.getFirst().getTotalSeconds() * 1000L;
    }

    private Rejection reject(Problem problem, byte[] b, int from, int to) {
        String shown = Bytes.show(b, from, to);
        return new Rejection(
                problem,
                switch (problem) {
                    case TOO_MANY_DIGITS -> shown + " has more than millisecond precision";
                    case NO_OFFSET -> shown + " has no offset (Z or +hh:mm) and the stream declares no time-zone";
                    default -> shown + " is not a timestamp (ISO-8601 with an offset or Z, or epoch milliseconds)";
                });
    }

    private Rejection reject(Problem problem, byte[] b, int from, int to, long why) {
        String shown = Bytes.show(b, from, to);
        return new Rejection(
                problem,
                why == GAP
                        ? shown + " does not exist in " + zone + " (skipped by a daylight-saving change; add an offset)"
                        : shown + " is ambiguous in " + zone
                                + " (repeated by a daylight-saving change; add an offset)");
    }

    @Override
    public void bind(PreparedStatement ps, int index, Column column, int row, Dialect dialect) throws SQLException {
        var instant = Instant.ofEpochMilli(column.longAt(row));
        if (dialect == Dialect.MARIADB) ps.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
        else ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    @Override
    public boolean read(ResultSet rs, int index, Column column, int row, Dialect dialect) throws SQLException {
        @Nullable Instant v;
        if (dialect == Dialect.MARIADB) {
            var local = rs.getObject(index, LocalDateTime.class);
            v = local == null ? null : local.toInstant(ZoneOffset.UTC);
        } else {
            var offset = rs.getObject(index, OffsetDateTime.class);
            v = offset == null ? null : offset.toInstant();
        }
        if (v == null) return false;
        column.setLong(row, v.toEpochMilli());
        return true;
    }

    @Override
    public Object value(Column column, int row) {
        return Instant.ofEpochMilli(column.longAt(row));
    }

    @Override
    public String format(Column column, int row) {
        return ISO.format(Instant.ofEpochMilli(column.longAt(row)));
    }
}
