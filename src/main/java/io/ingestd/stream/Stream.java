package io.ingestd.stream;

import org.jspecify.annotations.Nullable;

import java.time.ZoneId;
import java.util.List;

/**
 * A declared stream: where its messages arrive, how they are written (format), the fields of a record, the
 * key that makes a re-send recognisable (empty: append only) and the table the records go to. Everything
 * that parses, stores or spools records reads their shape from here.
 */
public record Stream(
        String name,
        String listen,
        Format format,
        TableName table,
        List<Field> fields,
        List<Field> key,
        boolean create,
        @Nullable ZoneId timeZone,
        UnknownFields unknownFields) {

    public enum Format {
        CSV,
        JSON
    }

    /** What a JSON record's key that names no field does: refuse the message, or be skipped. */
    public enum UnknownFields {
        REJECT,
        IGNORE
    }

    public Stream {
        fields = List.copyOf(fields);
        key = List.copyOf(key);
    }

    public boolean isAppendOnly() {
        return key.isEmpty();
    }

    /** The field's position in {@link #fields()}, or -1. */
    public int indexOf(String fieldName) {
        for (int i = 0; i < fields.size(); i++) if (fields.get(i).name().equals(fieldName)) return i;
        return -1;
    }

    /** The positions of the key's fields in {@link #fields()}. */
    public int[] keyIndexes() {
        return key.stream().mapToInt(f -> indexOf(f.name())).toArray();
    }

    /** The single {@code int64} key the writer's fast paths (range updates, primitive maps) are for. */
    public boolean hasSingleInt64Key() {
        return key.size() == 1 && key.getFirst().type() instanceof Int64Type;
    }

    /** The fields as one declaration ({@code ticket:int64, ...}): what the spool's entries are checked against. */
    public String fieldsDeclaration() {
        return String.join(", ", fields.stream().map(Field::declaration).toList());
    }

    public Batch newBatch(int capacity) {
        return new Batch(fields, capacity);
    }

    /** The codec for this stream's format. */
    public RecordCodec codec() {
        return switch (format) {
            case CSV -> new CsvCodec(this);
            case JSON -> new JsonCodec(this);
        };
    }
}
