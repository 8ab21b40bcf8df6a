package io.ingestd.stream;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;

/**
 * A batch as a spool entry's bytes, and back. The layout, version 1:
 *
 * <pre>
 * version        1 byte (1)
 * fields         4 bytes: CRC-32 of the stream's fields declaration, so an entry spooled under another
 *                declaration is refused at the drain instead of read as the wrong columns
 * records        varint
 * per field      if optional: a NULL bitmap, one bit per record (LSB first); then each non-NULL value:
 *                long-backed types a zigzag varint (small numbers and dates take one to three bytes),
 *                text its UTF-8 length (varint) and bytes, a wide decimal its unscaled two's-complement
 *                length (varint) and bytes
 * </pre>
 */
public final class BatchCodec {
    public static final byte VERSION = 1;

    private BatchCodec() {}

    public static byte[] encode(Stream stream, Batch batch) {
        var out = new ByteArrayOutputStream(16 + batch.size() * batch.fields().size() * 4);
        out.write(VERSION);
        int signature = signature(stream);
        for (int shift = 24; shift >= 0; shift -= 8) out.write(signature >>> shift);
        varint(out, batch.size());
        for (int f = 0; f < batch.fields().size(); f++) {
            var column = batch.column(f);
            if (column.field().optional()) nullBitmap(out, column, batch.size());
            for (int row = 0; row < batch.size(); row++) {
                if (!column.isNull(row)) value(out, column, row);
            }
        }
        return out.toByteArray();
    }

    private static void nullBitmap(ByteArrayOutputStream out, Column column, int size) {
        for (int start = 0; start < size; start += 8) {
            int bits = 0;
            for (int i = 0; i < 8 && start + i < size; i++) if (column.isNull(start + i)) bits |= 1 << i;
            out.write(bits);
        }
    }

    private static void value(ByteArrayOutputStream out, Column column, int row) {
        var type = column.field().type();
        if (type.storesLong()) {
            long v = column.longAt(row);
            varint(out, (v << 1) ^ (v >> 63));
            return;
        }
        byte[] bytes = type instanceof TextType
                ? ((String) column.objectAt(row)).getBytes(StandardCharsets.UTF_8)
                : ((BigDecimal) column.objectAt(row)).unscaledValue().toByteArray();
        varint(out, bytes.length);
        out.write(bytes, 0, bytes.length);
    }

    private static void varint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }

    /** The batch in {@code entry}; an entry that is not one of this stream's is an {@link IllegalArgumentException}. */
    public static Batch decode(Stream stream, byte[] entry) {
        var in = new In(entry);
        int version = in.next();
        if (version != VERSION) throw in.corrupt("format version " + version + " (this ingestd reads " + VERSION + ")");
        int signature = (in.next() << 24) | (in.next() << 16) | (in.next() << 8) | in.next();
        if (signature != signature(stream)) {
            throw in.corrupt("spooled under another declaration of the fields of stream " + stream.name());
        }
        long records = in.varint();
        if (records < 0 || records > entry.length * 8L) throw in.corrupt("record count " + records);
        int size = (int) records;
        var batch = stream.newBatch(size);
        for (int f = 0; f < stream.fields().size(); f++) {
            var column = batch.column(f);
            boolean[] nulls = new boolean[size];
            if (column.field().optional()) {
                for (int start = 0; start < size; start += 8) {
                    int bits = in.next();
                    for (int i = 0; i < 8 && start + i < size; i++) nulls[start + i] = (bits & (1 << i)) != 0;
                }
            }
            for (int row = 0; row < size; row++) {
                if (nulls[row]) column.setNull(row);
                else read(in, column, row);
            }
        }
        if (in.pos != entry.length) throw in.corrupt((entry.length - in.pos) + " bytes after the last value");
        for (int i = 0; i < size; i++) batch.commitRecord();
        return batch;
    }

    private static void read(In in, Column column, int row) {
        var type = column.field().type();
        if (type.storesLong()) {
            long z = in.varint();
            column.setLong(row, (z >>> 1) ^ -(z & 1));
            return;
        }
        byte[] bytes = in.bytes();
        if (type instanceof DecimalType d) {
            if (bytes.length == 0) throw in.corrupt("an empty decimal");
            column.setObject(row, new BigDecimal(new BigInteger(bytes), d.scale()));
        } else {
            column.setObject(row, new String(bytes, StandardCharsets.UTF_8));
        }
    }

    static int signature(Stream stream) {
        var crc = new CRC32();
        crc.update(stream.fieldsDeclaration().getBytes(StandardCharsets.UTF_8));
        return (int) crc.getValue();
    }

    /** A cursor over an entry whose every read checks the bounds, so a damaged entry fails with where it broke. */
    private static final class In {
        final byte[] b;
        int pos;

        In(byte[] b) {
            this.b = b;
        }

        int next() {
            if (pos >= b.length) throw corrupt("cut short");
            return b[pos++] & 0xff;
        }

        long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int c = next();
                v |= (long) (c & 0x7f) << shift;
                if ((c & 0x80) == 0) return v;
            }
            throw corrupt("a varint longer than 10 bytes");
        }

        byte[] bytes() {
            long n = varint();
            if (n < 0 || n > b.length - pos)
                throw corrupt("a value of " + n + " bytes with " + (b.length - pos) + " left");
            var out = Arrays.copyOfRange(b, pos, pos + (int) n);
            pos += (int) n;
            return out;
        }

        IllegalArgumentException corrupt(String why) {
            return new IllegalArgumentException("not a readable spool entry at byte " + pos + ": " + why);
        }
    }
}
