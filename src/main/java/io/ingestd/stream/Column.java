package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

import java.util.Arrays;

/**
 * The values of one field across a batch's records. Numbers, booleans, dates and timestamps live in a
 * {@code long[]} (no object per value); only texts and decimals wider than 18 digits take an {@code Object[]}.
 */
public final class Column {
    private static final long[] NO_LONGS = {};
    private static final Object[] NO_OBJECTS = {};

    private final Field field;
    private long[] longs;
    private @Nullable Object[] objects;
    private boolean[] nulls;

    Column(Field field, int capacity) {
        this.field = field;
        boolean inLongs = field.type().storesLong();
        longs = inLongs ? new long[capacity] : NO_LONGS;
        objects = inLongs ? NO_OBJECTS : new Object[capacity];
        nulls = new boolean[field.optional() ? capacity : 0];
    }

    public Field field() {
        return field;
    }

    public boolean isNull(int row) {
        return field.optional() && nulls[row];
    }

    /** The value of a long-backed type (int64, decimal up to 18 digits unscaled, boolean 0/1, epoch day, epoch ms). */
    public long longAt(int row) {
        return longs[row];
    }

    /** The value of an object-backed type: a {@code String} (text) or a {@code BigDecimal} (decimal over 18 digits). */
    public Object objectAt(int row) {
        var o = objects[row];
        if (o == null) throw new IllegalStateException(field.name() + " is NULL in row " + row);
        return o;
    }

    /** The value as a plain Java value (Long, BigDecimal, String, Boolean, LocalDate, Instant), or null. */
    public @Nullable Object valueAt(int row) {
        return isNull(row) ? null : field.type().value(this, row);
    }

    /** Same NULL-ness and the same value: what an identical re-send of a stored row has. */
    public boolean sameAs(int row, Column other, int otherRow) {
        if (isNull(row) || other.isNull(otherRow)) return isNull(row) == other.isNull(otherRow);
        // the types keep values canonical (decimals at the declared scale, timestamps in UTC milliseconds),
        // so equality of the stored form is equality of the value
        return field.type().storesLong()
                ? longs[row] == other.longs[otherRow]
                : objectAt(row).equals(other.objectAt(otherRow));
    }

    void setLong(int row, long value) {
        longs[row] = value;
        if (field.optional()) nulls[row] = false;
    }

    void setObject(int row, Object value) {
        objects[row] = value;
        if (field.optional()) nulls[row] = false;
    }

    void setNull(int row) {
        if (!field.optional()) throw new IllegalStateException(field.name() + " is not optional");
        nulls[row] = true;
        if (!field.type().storesLong()) objects[row] = null;
    }

    void grow(int capacity) {
        if (longs.length > 0) longs = Arrays.copyOf(longs, capacity);
        if (objects.length > 0) objects = Arrays.copyOf(objects, capacity);
        if (nulls.length > 0) nulls = Arrays.copyOf(nulls, capacity);
    }
}
