package io.ingestd.spool;

import io.ingestd.protocol.Records;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

/**
 * The byte layout of a spool segment: an 8-byte header ({@code INGSPL01}), then entries, each one request
 * message: {@code length:u32, crc32c(payload):u32, payload}, payload = {@code spooledAtMillis:i64, n:i32,
 * n × (ticket:i64, login:i64, volumeUnits:i64)}. Big-endian. A length and a checksum per entry let recovery tell
 * a whole entry from a torn or corrupt one, and find the next whole entry after damage.
 */
final class SpoolFormat {
    static final byte[] MAGIC = "INGSPL01".getBytes(StandardCharsets.US_ASCII);
    static final int HEADER = MAGIC.length;
    static final int ENTRY_HEAD = 8;
    static final int RECORD = 24;
    static final int PAYLOAD_FIXED = 12;
    /** Larger than any valid message (message.max-records is at most a few hundred thousand in practice). */
    static final int MAX_PAYLOAD = 64 << 20;

    private SpoolFormat() {}

    static int entrySize(int records) {
        return ENTRY_HEAD + PAYLOAD_FIXED + records * RECORD;
    }

    /** Appends one entry for {@code rec} to {@code buf} (which has room for it). */
    static void put(ByteBuffer buf, Records rec, long millis) {
        int start = buf.position();
        int payload = PAYLOAD_FIXED + rec.size() * RECORD;
        buf.putInt(payload).putInt(0).putLong(millis).putInt(rec.size());
        for (int i = 0; i < rec.size(); i++)
            buf.putLong(rec.ticket(i)).putLong(rec.login(i)).putLong(rec.volumeUnits(i));
        var crc = new CRC32C();
        crc.update(buf.array(), buf.arrayOffset() + start + ENTRY_HEAD, payload);
        buf.putInt(start + 4, (int) crc.getValue());
    }

    /**
     * The size of the whole entry at {@code pos} in {@code b} (its first {@code limit} bytes), or -1 if there is no
     * whole, valid entry there (too short, implausible length, checksum mismatch).
     */
    static int check(byte[] b, int pos, int limit) {
        if (limit - pos < ENTRY_HEAD + PAYLOAD_FIXED) return -1;
        var bb = ByteBuffer.wrap(b);
        int payload = bb.getInt(pos);
        if (payload < PAYLOAD_FIXED || payload > MAX_PAYLOAD || (payload - PAYLOAD_FIXED) % RECORD != 0) return -1;
        if (limit - pos - ENTRY_HEAD < payload) return -1;
        int n = bb.getInt(pos + ENTRY_HEAD + 8);
        if (n != (payload - PAYLOAD_FIXED) / RECORD) return -1;
        var crc = new CRC32C();
        crc.update(b, pos + ENTRY_HEAD, payload);
        if ((int) crc.getValue() != bb.getInt(pos + 4)) return -1;
        return ENTRY_HEAD + payload;
    }

    static long millis(byte[] b, int pos) {
        return ByteBuffer.wrap(b).getLong(pos + ENTRY_HEAD);
    }

    /** The records of the (checked) entry at {@code pos}. */
    static Records records(byte[] b, int pos) {
        var bb = ByteBuffer.wrap(b);
        int n = bb.getInt(pos + ENTRY_HEAD + 8);
        var rec = new Records(n);
        int p = pos + ENTRY_HEAD + PAYLOAD_FIXED;
        for (int i = 0; i < n; i++, p += RECORD) rec.add(bb.getLong(p), bb.getLong(p + 8), bb.getLong(p + 16));
        return rec;
    }

    static boolean hasHeader(byte[] b, int limit) {
        if (limit < HEADER) return false;
        for (int i = 0; i < HEADER; i++) if (b[i] != MAGIC[i]) return false;
        return true;
    }
}
