package io.ingestd.spool;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Start-up check of the spool directory, so that no state of it can stop the daemon: every entry's checksum is
 * verified; a torn tail of the newest segment (a crash mid-append) is cut; a damaged older segment, or damage
 * followed by whole entries, is moved to {@code quarantine/} as it is (with an ERROR line naming it), and its whole
 * entries are written to a clean segment of the same name, so they are still drained.
 */
final class SpoolRecovery {
    private static final Logger log = LoggerFactory.getLogger(SpoolRecovery.class);

    private final Path dir;
    private final LongAdder quarantined;
    private final TicketIndex index;

    SpoolRecovery(Path dir, LongAdder quarantined, TicketIndex index) {
        this.dir = dir;
        this.quarantined = quarantined;
        this.index = index;
    }

    List<Segment> recover() {
        var files = new TreeMap<Long, Path>();
        try (var list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                long seq = Segment.seqOf(name);
                if (seq >= 0) files.put(seq, p);
                else if (name.endsWith(".spool.tmp")) finishRewrite(p);
            }
        } catch (IOException | RuntimeException e) {
            log.error("cannot list spool directory {}: {}", dir, e.toString());
            return List.of();
        }
        // a rewrite that was cut short before its rename (see rewrite) left only the .tmp: pick it up
        try (var list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                long seq = Segment.seqOf(p.getFileName().toString());
                if (seq >= 0) files.putIfAbsent(seq, p);
            }
        } catch (IOException e) {
            log.error("cannot list spool directory {}: {}", dir, e.toString());
        }
        var segments = new ArrayList<Segment>();
        long last = files.isEmpty() ? -1 : files.lastKey();
        for (var e : files.entrySet()) {
            try {
                var s = check(e.getKey(), e.getValue(), e.getKey() == last);
                if (s != null) segments.add(s);
            } catch (IOException | RuntimeException x) {
                Path moved = quarantine(e.getValue());
                log.error("spool segment {} cannot be read ({}); moved to {}", e.getValue(), x.toString(), moved);
            }
        }
        removeStaleMarks(segments);
        return segments;
    }

    /** Drain marks of segments that are gone (a crash between the two deletions, a quarantined file). */
    private void removeStaleMarks(List<Segment> kept) {
        var live = new java.util.HashSet<Path>();
        for (var s : kept) live.add(s.markPath());
        try (var list = Files.list(dir)) {
            for (Path p : (Iterable<Path>) list::iterator) {
                if (p.getFileName().toString().endsWith(Segment.MARK_SUFFIX) && !live.contains(p))
                    Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            log.warn("cannot remove stale drain marks in {}: {}", dir, e.toString());
        }
    }

    /** A rewrite left its .tmp: if the original is still there the rewrite did not finish (redo it); else finish it. */
    private void finishRewrite(Path tmp) {
        String name = tmp.getFileName().toString();
        Path target = tmp.resolveSibling(name.substring(0, name.length() - 4));
        try {
            if (Files.exists(target)) Files.delete(tmp);
            else Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.error("cannot tidy spool file {}: {}", tmp, e.toString());
        }
    }

    private @Nullable Segment check(long seq, Path path, boolean newest) throws IOException {
        long size = Files.size(path);
        if (size > Integer.MAX_VALUE - 16)
            throw new IOException("file of " + size + " bytes is larger than any segment");
        if (size == 0) {
            Files.delete(path);
            log.warn("spool segment {} was empty (a crash while it was created); removed", path);
            return null;
        }
        byte[] b = Files.readAllBytes(path);
        if (!SpoolFormat.hasHeader(b, b.length)) {
            Path moved = quarantine(path);
            log.error(
                    "spool segment {} has no spool header ({} bytes); moved to {}, nothing of it is drained",
                    path,
                    b.length,
                    moved);
            return null;
        }
        var keep = new ArrayList<int[]>(); // offset, size of each whole entry
        var bad = new StringBuilder();
        long badBytes = 0;
        int pos = SpoolFormat.HEADER, tornAt = -1;
        while (pos < b.length) {
            int n = SpoolFormat.check(b, pos, b.length);
            if (n > 0) {
                keep.add(new int[] {pos, n});
                pos += n;
                continue;
            }
            int next = resync(b, pos + 1);
            if (next < 0 && newest) {
                tornAt = pos;
                break;
            }
            int to = next < 0 ? b.length : next;
            bad.append(bad.isEmpty() ? "" : ", ").append(pos).append('-').append(to);
            badBytes += to - pos;
            pos = to;
        }
        var seg = new Segment(seq, path, 0);
        // entries before the drain mark were committed before the restart: not drained, nor vouched for, again
        long drained = badBytes > 0 ? -1 : Spool.readMark(path);
        if (drained > SpoolFormat.HEADER && isEntryBoundary(keep, drained, tornAt >= 0 ? tornAt : b.length)) {
            seg.readPos = seg.committedTo = drained;
        }
        for (var k : keep) {
            if (k[0] < seg.readPos) continue;
            var rec = SpoolFormat.records(b, k[0]);
            seg.entries++;
            seg.records += rec.size();
            for (int j = 0; j < rec.size(); j++)
                index.put(rec.ticket(j), TicketIndex.valueOf(rec.login(j), rec.volumeUnits(j)));
        }
        if (badBytes > 0) {
            Files.deleteIfExists(seg.markPath()); // the clean file has other offsets: drained again whole
            Path moved = rewrite(path, b, keep);
            log.error(
                    "spool segment {} is damaged: {} bytes at offsets {} are not whole entries; the file is moved to {} "
                            + "and its {} whole messages are kept for the drain",
                    path,
                    badBytes,
                    bad,
                    moved,
                    keep.size());
            seg.end = Files.size(path);
        } else if (tornAt >= 0) {
            try (var ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                ch.truncate(tornAt);
                ch.force(true);
            }
            log.warn(
                    "spool segment {}: torn tail of {} bytes cut at offset {} (a crash during an append that was never "
                            + "acknowledged)",
                    path,
                    b.length - tornAt,
                    tornAt);
            seg.end = tornAt;
        } else {
            seg.end = b.length;
        }
        seg.sealed = true; // appends after a restart go to a new segment
        if (seg.entries == 0) {
            Files.delete(path);
            Files.deleteIfExists(seg.markPath());
            return null;
        }
        return seg;
    }

    /** True if {@code at} is where a whole entry starts, or the end of the last one. */
    private static boolean isEntryBoundary(List<int[]> keep, long at, long end) {
        if (at == end) return true;
        for (var k : keep) if (k[0] == at) return true;
        return false;
    }

    /** The next offset after {@code from} where a whole entry starts, or -1. */
    private static int resync(byte[] b, int from) {
        for (int p = from; p + SpoolFormat.ENTRY_HEAD + SpoolFormat.PAYLOAD_FIXED <= b.length; p++) {
            if (SpoolFormat.check(b, p, b.length) > 0) return p;
        }
        return -1;
    }

    /** Writes the whole entries to {@code name.tmp}, moves the damaged file aside, renames the clean one in place. */
    private Path rewrite(Path path, byte[] b, List<int[]> keep) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (var ch = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(SpoolFormat.MAGIC));
            for (var k : keep) ch.write(ByteBuffer.wrap(b, k[0], k[1]));
            ch.force(true);
        }
        Path moved = quarantine(path);
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
        Spool.forceDirectory(dir);
        return moved;
    }

    private Path quarantine(Path file) {
        quarantined.increment();
        try {
            Path q = Files.createDirectories(dir.resolve("quarantine"));
            Path target = q.resolve(file.getFileName() + "." + System.currentTimeMillis());
            Files.move(file, target);
            return target;
        } catch (IOException e) {
            log.error("cannot move {} to the quarantine directory: {}; deleting it", file, e.toString());
            try {
                Files.deleteIfExists(file);
            } catch (IOException x) {
                log.error("cannot delete {} either: {}", file, x.toString());
            }
            return file;
        }
    }

    /** A copy of a file into the quarantine directory (the file itself stays while parts of it are in flight). */
    static Path quarantineCopy(Path dir, Path file, LongAdder quarantined) {
        quarantined.increment();
        try {
            Path q = Files.createDirectories(dir.resolve("quarantine"));
            return Files.copy(file, q.resolve(file.getFileName() + "." + System.currentTimeMillis()));
        } catch (IOException e) {
            log.error("cannot copy {} to the quarantine directory: {}", file, e.toString());
            return file;
        }
    }
}
