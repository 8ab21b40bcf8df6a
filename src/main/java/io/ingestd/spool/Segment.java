package io.ingestd.spool;

import java.nio.file.Path;

/**
 * One spool file in memory: how far it is durable, how far it has been handed to the drain, and how many of its
 * entries the database has committed. Guarded by the {@link Spool}'s lock.
 */
final class Segment {
    final long seq;
    final Path path;
    long end;
    long readPos = SpoolFormat.HEADER;
    int entries;
    int records;
    int claimedEntries;
    int claimedRecords;
    int committedEntries;
    boolean sealed;
    /** Every entry before this offset is committed (or rejected); kept on disk in {@link #markPath}. */
    long committedTo = SpoolFormat.HEADER;
    /** Committed claims past {@link #committedTo} (another writer's claim before them is still in flight). */
    final java.util.TreeMap<Long, Long> committedAhead = new java.util.TreeMap<>();

    Segment(long seq, Path path, long end) {
        this.seq = seq;
        this.path = path;
        this.end = end;
    }

    static String name(long seq) {
        return String.format("seg-%016d.spool", seq);
    }

    static long seqOf(String fileName) {
        if (!fileName.matches("seg-\\d{16}\\.spool")) return -1;
        return Long.parseLong(fileName.substring(4, 20));
    }

    /** The drain mark beside the segment: how far its entries are done, so a restart does not drain them again. */
    Path markPath() {
        return markPath(path);
    }

    static Path markPath(Path segment) {
        return segment.resolveSibling(segment.getFileName() + MARK_SUFFIX);
    }

    static final String MARK_SUFFIX = ".drained";

    /** Notes a committed claim; true if the committed prefix grew. */
    boolean markCommitted(long from, long to) {
        committedAhead.put(from, to);
        boolean grew = false;
        for (Long next; (next = committedAhead.remove(committedTo)) != null; grew = true) committedTo = next;
        return grew;
    }

    boolean isFullyCommitted() {
        return committedEntries == entries && readPos == end;
    }
}
