package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

import java.util.List;

/**
 * The records of one message, column-wise: one {@link Column} per field, so a message costs a few arrays
 * rather than an object per record. A batch is filled by a codec, by the spool's decoder or from a result set,
 * and read by the writer; records are added whole or not at all.
 */
public final class Batch {
    private final List<Field> fields;
    private final Column[] columns;
    private int capacity;
    private int size;

    public Batch(List<Field> fields, int capacity) {
        this.fields = List.copyOf(fields);
        this.capacity = Math.max(capacity, 1);
        columns = new Column[fields.size()];
        for (int i = 0; i < columns.length; i++) columns[i] = new Column(fields.get(i), this.capacity);
    }

    public List<Field> fields() {
        return fields;
    }

    public int size() {
        return size;
    }

    public Column column(int field) {
        return columns[field];
    }

    public @Nullable Object value(int row, int field) {
        return columns[field].valueAt(row);
    }

    /** Every field of record {@code row} equals that of {@code otherRow} in {@code other} (same fields). */
    public boolean sameRecord(int row, Batch other, int otherRow) {
        for (int f = 0; f < columns.length; f++) {
            if (!columns[f].sameAs(row, other.columns[f], otherRow)) return false;
        }
        return true;
    }

    /** The index the next record is written at; it counts once {@link #commitRecord()} is called. */
    int nextRow() {
        if (size == capacity) {
            capacity *= 2;
            for (var c : columns) c.grow(capacity);
        }
        return size;
    }

    void commitRecord() {
        size++;
    }
}
