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

    boolean isFullyCommitted() {
        return committedEntries == entries && readPos == end;
    }
}
