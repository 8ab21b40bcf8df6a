package io.ingestd.spool;

import io.ingestd.config.IoReason;
import io.ingestd.protocol.Records;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The local spool: request messages the database could not take, appended to segment files and forced to disk
 * before they are acknowledged, then handed back to the writers ({@link #claim}) when the database answers again
 * and removed once committed. One lock guards the files and counters; each append is one write and one
 * {@code force} for a whole writer group, never one per record.
 */
public final class Spool implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Spool.class);
    static final String MARKER = "schema-migrated";

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final @Nullable String unusable;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayList<Segment> segments = new ArrayList<>();
    private final ArrayDeque<Claim> released = new ArrayDeque<>();
    private final TicketIndex index = new TicketIndex();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder quarantined = new LongAdder();
    private @Nullable FileChannel active;
    private long nextSeq;
    private long bytes;
    private volatile long pendingRecords;
    private volatile long pendingMessages;
    private long spooledSinceEmpty;
    private long drainedSinceEmpty;
    private long drainStartedNanos;
    private volatile double lastDrainRate;
    private volatile String refusal = "";
    private volatile long refusedAtNanos = System.nanoTime() - TimeUnit.HOURS.toNanos(1);

    /** Entries handed to one writer for one drain group. */
    public record Claim(Segment segment, long from, long to, int entries, List<Records> messages, long firstMillis) {
        public int records() {
            int n = 0;
            for (var m : messages) n += m.size();
            return n;
        }
    }

    private Spool(Path dir, long maxBytes, @Nullable String unusable) {
        this.dir = dir;
        this.maxBytes = maxBytes;
        this.segmentBytes = Math.clamp(maxBytes / 8, 64 << 10, 32 << 20);
        this.unusable = unusable;
    }

    /** Why the spool cannot take messages at all (its directory cannot be used), or null when it can. */
    public @Nullable String unusable() {
        return unusable;
    }

    /**
     * Opens the spool directory and recovers what it holds (torn tails cut, damaged files quarantined). Never
     * throws: a directory that cannot be used gives a spool that refuses appends with the reason (RETRY).
     */
    // the counters are volatile for lock-free readers (metrics, status); here the spool is not yet shared
    @SuppressWarnings("NonAtomicVolatileUpdate")
    public static Spool open(Path dir, long maxBytes) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | RuntimeException e) {
            String why = e instanceof IOException io ? IoReason.of(io) : String.valueOf(e.getMessage());
            log.error(
                    "spool directory {} cannot be used: {} (messages the database cannot take are answered RETRY; "
                            + "check spool.dir)",
                    dir,
                    why);
            return new Spool(dir, maxBytes, "spool directory " + dir + " cannot be used: " + why);
        }
        var spool = new Spool(dir, maxBytes, null);
        for (var seg : new SpoolRecovery(dir, spool.quarantined, spool.index).recover()) {
            spool.segments.add(seg);
            spool.bytes += seg.end;
            spool.pendingRecords += seg.records;
            spool.pendingMessages += seg.entries;
            spool.nextSeq = seg.seq + 1;
        }
        if (spool.pendingMessages > 0) {
            spool.spooledSinceEmpty = spool.pendingRecords;
            log.warn(
                    "spool holds {} records ({} messages, {} bytes) from before the restart: they are written to the "
                            + "database when it answers",
                    spool.pendingRecords,
                    spool.pendingMessages,
                    spool.bytes);
        }
        return spool;
    }

    public Path dir() {
        return dir;
    }

    /** Why the spool refused a group within the last few seconds (full, disk failed), or null: health is failed then. */
    public @Nullable String recentRefusal() {
        return System.nanoTime() - refusedAtNanos < TimeUnit.SECONDS.toNanos(5) ? refusal : null;
    }

    private SpoolException refused(String why, @Nullable Throwable cause) {
        refusal = why;
        refusedAtNanos = System.nanoTime();
        return new SpoolException(why, cause);
    }

    public boolean hasPending() {
        return pendingMessages > 0;
    }

    public long records() {
        return pendingRecords;
    }

    public long conflicts() {
        return conflicts.sum();
    }

    public long quarantinedFiles() {
        return quarantined.sum();
    }

    public long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }

    /** Records per second of the current drain, or of the last one. */
    public double drainRate() {
        lock.lock();
        try {
            if (drainStartedNanos == 0) return lastDrainRate;
            double secs = (System.nanoTime() - drainStartedNanos) / 1e9;
            return secs < 0.5 ? lastDrainRate : drainedSinceEmpty / secs;
        } finally {
            lock.unlock();
        }
    }

    /** Seconds since the oldest message still in the spool was written, 0 when it is empty. */
    public long oldestSeconds() {
        lock.lock();
        try {
            long oldest = Long.MAX_VALUE;
            for (var c : released) oldest = Math.min(oldest, c.firstMillis());
            for (var s : segments) {
                if (s.readPos < s.end) {
                    oldest = Math.min(oldest, peekMillis(s));
                    break;
                }
            }
            if (oldest == Long.MAX_VALUE) return 0;
            return Math.max(0, TimeUnit.MILLISECONDS.toSeconds(System.currentTimeMillis() - oldest));
        } finally {
            lock.unlock();
        }
    }

    private long peekMillis(Segment s) {
        var buf = ByteBuffer.allocate(8);
        try (var ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
            ch.read(buf, s.readPos + SpoolFormat.ENTRY_HEAD);
            return buf.getLong(0);
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * The conflict of a message with what the spool holds (a ticket held with another login or volume), or null.
     * Only what the bounded index remembers is checked; the drain finds the rest.
     */
    public @Nullable String conflict(Records rec) {
        if (!hasPending()) return null;
        lock.lock();
        try {
            return conflictLocked(rec);
        } finally {
            lock.unlock();
        }
    }

    private @Nullable String conflictLocked(Records rec) {
        for (int j = 0; j < rec.size(); j++) {
            if (index.compare(rec.ticket(j), TicketIndex.valueOf(rec.login(j), rec.volumeUnits(j))) < 0) {
                return "conflict: " + (rec.size() > 1 ? "line " + (j + 1) + ": " : "") + "ticket " + rec.ticket(j)
                        + " is already stored with a different login or volume";
            }
        }
        return null;
    }

    /**
     * Makes a group of messages durable: one write, one force. Returns, per message, null when it is on disk (or
     * its every record already was, identically), or the conflict that rejects it. Throws when nothing of the group
     * can be promised: the spool is full or the disk failed.
     */
    // the counters are volatile for lock-free readers (metrics, status); every write is under the lock
    @SuppressWarnings("NonAtomicVolatileUpdate")
    public String[] append(List<Records> messages, String why) throws SpoolException {
        if (unusable != null) throw refused(unusable, null);
        var verdicts = new String[messages.size()];
        lock.lock();
        try {
            int size = 0;
            boolean[] write = new boolean[messages.size()];
            for (int i = 0; i < messages.size(); i++) {
                var rec = messages.get(i);
                verdicts[i] = conflictLocked(rec);
                if (verdicts[i] == null && !allHeld(rec)) {
                    write[i] = true;
                    size += SpoolFormat.entrySize(rec.size());
                    remember(rec); // later messages of this group are checked against it; forgotten if the write fails
                }
            }
            if (size == 0) return verdicts;
            if (bytes + size + SpoolFormat.HEADER > maxBytes) {
                forgetAll(messages, write);
                throw refused("spool full (" + bytes + " of spool.max-bytes " + maxBytes + " bytes)", null);
            }
            var buf = ByteBuffer.allocate(size);
            long now = System.currentTimeMillis();
            int entries = 0, records = 0;
            for (int i = 0; i < messages.size(); i++) {
                if (!write[i]) continue;
                SpoolFormat.put(buf, messages.get(i), now);
                entries++;
                records += messages.get(i).size();
            }
            buf.flip();
            try {
                writeDurably(buf);
            } catch (IOException e) {
                forgetAll(messages, write);
                throw refused("spool cannot be written: " + e.getMessage(), e);
            }
            var seg = segments.getLast();
            seg.entries += entries;
            seg.records += records;
            seg.end += size;
            bytes += size;
            if (pendingMessages == 0 && spooledSinceEmpty == 0) {
                log.warn("spooling to {}: {}", dir, why);
            }
            pendingMessages += entries;
            pendingRecords += records;
            spooledSinceEmpty += records;
            return verdicts;
        } finally {
            lock.unlock();
        }
    }

    private boolean allHeld(Records rec) {
        for (int j = 0; j < rec.size(); j++) {
            if (index.compare(rec.ticket(j), TicketIndex.valueOf(rec.login(j), rec.volumeUnits(j))) <= 0) return false;
        }
        return true;
    }

    private void remember(Records rec) {
        for (int j = 0; j < rec.size(); j++)
            index.put(rec.ticket(j), TicketIndex.valueOf(rec.login(j), rec.volumeUnits(j)));
    }

    private void forgetAll(List<Records> messages, boolean[] written) {
        for (int i = 0; i < messages.size(); i++) {
            if (!written[i]) continue;
            var rec = messages.get(i);
            for (int j = 0; j < rec.size(); j++) index.forget(rec.ticket(j));
        }
    }

    /** Appends at the durable end of the active segment (rolling it when full) and forces it. */
    private void writeDurably(ByteBuffer buf) throws IOException {
        var seg = segments.isEmpty() ? null : segments.getLast();
        if (active == null
                || seg == null
                || seg.sealed
                || (seg.end + buf.remaining() > segmentBytes && seg.entries > 0)) {
            roll();
            seg = segments.getLast();
        }
        FileChannel ch = java.util.Objects.requireNonNull(active, "roll() opens the active segment");
        try {
            long pos = seg.end;
            while (buf.hasRemaining()) pos += ch.write(buf, pos);
            ch.force(false);
        } catch (IOException e) {
            // what reached the file past the durable end is unknown: cut it, and never append after a failed force
            try {
                ch.truncate(seg.end);
            } catch (IOException ignored) {
                // recovery at the next start cuts or drains it (identical rows are skipped)
            }
            seg.sealed = true;
            closeActive();
            throw e;
        }
    }

    private void roll() throws IOException {
        if (!segments.isEmpty()) segments.getLast().sealed = true;
        closeActive();
        long seq = nextSeq++;
        Path path = dir.resolve(Segment.name(seq));
        var ch = FileChannel.open(
                path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.READ);
        try {
            ch.write(ByteBuffer.wrap(SpoolFormat.MAGIC), 0);
            ch.force(true);
            forceDirectory(dir);
        } catch (IOException e) {
            ch.close();
            Files.deleteIfExists(path);
            throw e;
        }
        active = ch;
        segments.add(new Segment(seq, path, SpoolFormat.HEADER));
        bytes += SpoolFormat.HEADER;
    }

    static void forceDirectory(Path dir) throws IOException {
        try (var d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    private void closeActive() {
        if (active == null) return;
        try {
            active.close();
        } catch (IOException e) {
            log.warn("closing spool segment: {}", e.toString());
        }
        active = null;
    }

    /** True if some spooled message is neither committed nor handed to a writer: a drain group can be claimed. */
    public boolean hasUnclaimed() {
        if (!hasPending()) return false;
        lock.lock();
        try {
            if (!released.isEmpty()) return true;
            for (var s : segments) if (s.readPos < s.end) return true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Up to {@code maxRecords} records (at least one message) not yet handed out, oldest first, or null when every
     * spooled message is claimed. Messages a failed drain gave back come first.
     */
    public @Nullable Claim claim(int maxRecords) {
        lock.lock();
        try {
            var back = released.poll();
            if (back != null) return back;
            for (var s : segments) {
                if (s.readPos >= s.end) continue;
                var c = read(s, maxRecords);
                if (c == null) continue;
                if (drainStartedNanos == 0) {
                    drainStartedNanos = System.nanoTime();
                }
                return c;
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    private @Nullable Claim read(Segment s, int maxRecords) {
        int want = (int) Math.min(s.end - s.readPos, Math.max(maxRecords, 1) * (long) SpoolFormat.RECORD + 4096);
        try (var ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
            byte[] b = readFully(ch, s.readPos, want);
            int first = SpoolFormat.check(b, 0, b.length);
            if (first < 0 && b.length < s.end - s.readPos) {
                int need = ByteBuffer.wrap(b).getInt(0) + SpoolFormat.ENTRY_HEAD; // one entry larger than the window
                if (need > 0 && need <= s.end - s.readPos) b = readFully(ch, s.readPos, need);
            }
            var messages = new ArrayList<Records>();
            int pos = 0, records = 0;
            long firstMillis = 0;
            while (pos < b.length) {
                int n = SpoolFormat.check(b, pos, b.length);
                if (n < 0) break;
                var rec = SpoolFormat.records(b, pos);
                if (!messages.isEmpty() && records + rec.size() > maxRecords) break;
                if (messages.isEmpty()) firstMillis = SpoolFormat.millis(b, pos);
                messages.add(rec);
                records += rec.size();
                pos += n;
            }
            if (messages.isEmpty()) {
                quarantineRest(s, "an entry no longer matches its checksum");
                return null;
            }
            var c = new Claim(s, s.readPos, s.readPos + pos, messages.size(), List.copyOf(messages), firstMillis);
            s.readPos += pos;
            s.claimedEntries += messages.size();
            s.claimedRecords += records;
            return c;
        } catch (IOException e) {
            quarantineRest(s, e.toString());
            return null;
        }
    }

    private static byte[] readFully(FileChannel ch, long at, int n) throws IOException {
        var buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf, at + buf.position()) < 0) throw new IOException("unexpected end of file");
        }
        return buf.array();
    }

    /** Damage found while draining (after start-up checked the file): keep a copy aside, drain the other files. */
    // the counters are volatile for lock-free readers (metrics, status); every write is under the lock
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void quarantineRest(Segment s, String why) {
        Path copy = SpoolRecovery.quarantineCopy(dir, s.path, quarantined);
        int lostEntries = s.entries - s.claimedEntries;
        log.error(
                "spool segment {} is damaged from offset {} ({}): {} messages ({} records) cannot be read; the file "
                        + "is copied to {}",
                s.path,
                s.readPos,
                why,
                lostEntries,
                s.records - s.claimedRecords,
                copy);
        pendingMessages -= lostEntries;
        pendingRecords -= s.records - s.claimedRecords;
        s.entries = s.claimedEntries;
        s.records = s.claimedRecords;
        s.readPos = s.end;
        if (s == segments.getLast()) {
            s.sealed = true;
            closeActive();
        }
        removeIfDone(s);
        if (pendingMessages == 0) drained();
    }

    /** The claim's messages are committed (or rejected): they leave the spool. */
    // the counters are volatile for lock-free readers (metrics, status); every write is under the lock
    @SuppressWarnings("NonAtomicVolatileUpdate")
    public void committed(Claim c) {
        lock.lock();
        try {
            var s = c.segment();
            s.committedEntries += c.entries();
            int records = c.records();
            pendingMessages -= c.entries();
            pendingRecords -= records;
            drainedSinceEmpty += records;
            boolean grew = s.markCommitted(c.from(), c.to());
            if (!removeIfDone(s) && grew) writeMark(s);
            if (pendingMessages == 0) drained();
        } finally {
            lock.unlock();
        }
    }

    /** The database went away during the drain: the claim is handed out again later. */
    public void release(Claim c) {
        lock.lock();
        try {
            released.add(c);
        } finally {
            lock.unlock();
        }
    }

    /** Spooled records turned out to conflict with stored rows: counted one by one, their tickets no longer vouched for. */
    public void conflictAtDrain(Records rec) {
        conflicts.add(rec.size());
        lock.lock();
        try {
            for (int j = 0; j < rec.size(); j++) index.forget(rec.ticket(j));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Forces how far the segment is drained to its mark file: a restart after a crash drains only the rest, so the
     * conflicts of a drained group are not written to rejects.log again (its rows would only be skipped as
     * identical). One small write and force per drain group; the group's own commit costs more. A crash between the
     * group's commit and this write drains that one group again.
     */
    private void writeMark(Segment s) {
        var buf = ByteBuffer.allocate(16).putLong(0, s.committedTo).putLong(8, ~s.committedTo);
        try (var ch = FileChannel.open(s.markPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            while (buf.hasRemaining()) ch.write(buf, buf.position());
            ch.force(false);
        } catch (IOException e) {
            log.warn(
                    "cannot write the drain mark {}: {} (after a restart the segment is drained again from offset {}: "
                            + "identical rows are skipped, its conflicts logged again)",
                    s.markPath(),
                    e.toString(),
                    s.committedTo);
        }
    }

    /** The offset a segment's mark file records, or -1 if there is none or it is not whole. */
    static long readMark(Path segment) {
        try {
            byte[] b = Files.readAllBytes(Segment.markPath(segment));
            if (b.length != 16) return -1;
            var buf = ByteBuffer.wrap(b);
            long at = buf.getLong(0);
            return buf.getLong(8) == ~at ? at : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /** Removes the segment (and its mark) if all its messages are committed; true if it did. */
    private boolean removeIfDone(Segment s) {
        if (!s.isFullyCommitted()) return false;
        if (!s.sealed && s == segments.getLast()) closeActive();
        try {
            Files.deleteIfExists(s.path);
        } catch (IOException e) {
            log.error(
                    "cannot remove drained spool segment {}: {} (its messages are written again at the next start; "
                            + "identical rows are skipped)",
                    s.path,
                    e.toString());
        }
        try {
            Files.deleteIfExists(s.markPath());
        } catch (IOException e) {
            log.warn("cannot remove drain mark {}: {} (removed at the next start)", s.markPath(), e.toString());
        }
        bytes -= s.end;
        segments.remove(s);
        return true;
    }

    private void drained() {
        double secs = drainStartedNanos == 0 ? 0 : (System.nanoTime() - drainStartedNanos) / 1e9;
        lastDrainRate = secs > 0 ? drainedSinceEmpty / secs : 0;
        log.info(
                "spool drained: {} records written to the database in {} s ({} records/s), {} conflicts in all, "
                        + "{} records spooled since it was last empty",
                drainedSinceEmpty,
                String.format("%.1f", secs),
                Math.round(lastDrainRate),
                conflicts.sum(),
                spooledSinceEmpty);
        drainStartedNanos = 0;
        drainedSinceEmpty = 0;
        spooledSinceEmpty = 0;
        index.clear();
    }

    /** True if an earlier start migrated the schema of this database and table (so a start while it is away may go on). */
    public boolean wasMigrated(String database) {
        try {
            return Files.readString(dir.resolve(MARKER)).strip().equals(database);
        } catch (IOException e) {
            return false;
        }
    }

    /** Remembers that the schema of this database and table is in place. */
    public void markMigrated(String database) {
        if (unusable != null || wasMigrated(database)) return;
        try {
            Path tmp = dir.resolve(MARKER + ".tmp");
            Files.writeString(tmp, database + "\n");
            try (var ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(
                    tmp,
                    dir.resolve(MARKER),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            forceDirectory(dir);
        } catch (IOException e) {
            log.warn(
                    "cannot write {} in the spool directory: {} (a restart while the database is away will fail)",
                    MARKER,
                    e.toString());
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closeActive();
        } finally {
            lock.unlock();
        }
    }
}
