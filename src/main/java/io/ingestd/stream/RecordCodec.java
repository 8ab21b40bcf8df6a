package io.ingestd.stream;

/** Reads a message's bytes into a batch of a stream's records, all or nothing, and writes a batch back. */
public sealed interface RecordCodec permits CsvCodec, JsonCodec {

    /** The records of {@code body}, or the first reason it is refused (naming the line and the field). */
    Decoded decode(byte[] body, int maxRecords);

    /** The records as a message of this format, which {@link #decode} reads back as the same records. */
    byte[] encode(Batch batch);

    /** The outcome of decoding a message: every record, or why none. */
    sealed interface Decoded {
        record Parsed(Batch batch) implements Decoded {}

        record Invalid(Rejection rejection) implements Decoded {}
    }
}
