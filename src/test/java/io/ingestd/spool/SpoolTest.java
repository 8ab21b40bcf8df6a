package io.ingestd.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingestd.protocol.Records;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

class SpoolTest {
    @TempDir
    Path dir;

    static Records message(long firstTicket, int n) {
        var r = new Records(n);
        for (int i = 0; i < n; i++) r.add(firstTicket + i, 7, 12_345);
        return r;
    }

    /** Appends {@code messages} one-per-group messages of {@code n} records, tickets from 1. */
    static void fill(Spool spool, int messages, int n) throws SpoolException {
        for (int i = 0; i < messages; i++) spool.append(List.of(message(1 + (long) i * n, n)), "test");
    }

    static List<Long> drainAll(Spool spool) {
        var tickets = new ArrayList<Long>();
        for (Spool.Claim c; (c = spool.claim(1000)) != null; ) {
            for (var m : c.messages()) for (int i = 0; i < m.size(); i++) tickets.add(m.ticket(i));
            spool.committed(c);
        }
        return tickets;
    }

    static List<Path> segments(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".spool"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void appendedMessagesComeBackInOrderAfterARestartAndLeaveNoFilesOnceCommitted() throws Exception {
        try (var spool = Spool.open(dir, 1 << 20)) {
            fill(spool, 100, 3);
            assertThat(spool.records()).isEqualTo(300);
        }
        try (var spool = Spool.open(dir, 1 << 20)) {
            assertThat(spool.records()).isEqualTo(300);
            var tickets = drainAll(spool);
            assertThat(tickets).hasSize(300).isSorted().startsWith(1L, 2L, 3L).endsWith(300L);
            assertThat(spool.records()).isZero();
            assertThat(spool.hasPending()).isFalse();
        }
        assertThat(segments(dir)).isEmpty();
    }

    @Test
    void aConflictingMessageIsRejectedAndAnIdenticalOneIsNotWrittenTwice() throws Exception {
        try (var spool = Spool.open(dir, 1 << 20)) {
            spool.append(List.of(message(10, 1)), "test");
            long bytes = spool.bytes();
            var other = new Records(1);
            other.add(10, 8, 12_345);
            String[] v = spool.append(List.of(message(10, 1), other), "test");
            assertThat(v[0]).isNull();
            assertThat(v[1]).contains("ticket 10");
            assertThat(spool.bytes()).isEqualTo(bytes);
            assertThat(spool.conflict(other)).contains("ticket 10");
        }
    }

    @Test
    void aFullSpoolRefusesWithTheReasonAndTakesMoreOnceDrained() throws Exception {
        try (var spool = Spool.open(dir, 8192)) {
            assertThatThrownBy(() -> fill(spool, 1000, 1))
                    .isInstanceOf(SpoolException.class)
                    .hasMessageContaining("spool full");
            long held = spool.records();
            assertThat(held).isPositive();
            assertThat(drainAll(spool)).hasSize((int) held);
            spool.append(List.of(message(1_000_000, 1)), "test");
            assertThat(spool.records()).isEqualTo(1);
        }
    }

    @Test
    void aTornTailIsCutAndEverythingBeforeItIsKept() throws Exception {
        try (var spool = Spool.open(dir, 1 << 20)) {
            fill(spool, 10, 2);
        }
        Path seg = segments(dir).getFirst();
        try (var f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.setLength(f.length() - 5); // the last entry half written
        }
        try (var spool = Spool.open(dir, 1 << 20)) {
            assertThat(spool.records()).isEqualTo(18);
            assertThat(spool.quarantinedFiles()).isZero();
            assertThat(drainAll(spool)).hasSize(18);
        }
    }

    @Test
    void damageInTheMiddleIsQuarantinedAndTheWholeEntriesAroundItAreKept() throws Exception {
        int perEntry = SpoolFormat.entrySize(2);
        try (var spool = Spool.open(dir, 1 << 20)) {
            fill(spool, 10, 2);
        }
        Path seg = segments(dir).getFirst();
        try (var f = new RandomAccessFile(seg.toFile(), "rw")) {
            long at = SpoolFormat.HEADER + 4L * perEntry + 30; // inside the fifth entry
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0xff);
        }
        try (var spool = Spool.open(dir, 1 << 20)) {
            assertThat(spool.records()).isEqualTo(18);
            assertThat(spool.quarantinedFiles()).isEqualTo(1);
            var tickets = drainAll(spool);
            assertThat(tickets).hasSize(18).doesNotContain(9L, 10L).contains(1L, 8L, 11L, 20L);
        }
        try (var q = Files.list(dir.resolve("quarantine"))) {
            assertThat(q.toList()).hasSize(1);
        }
    }

    @Test
    void emptyTruncatedAndForeignFilesNeverStopTheOpen() throws Exception {
        try (var spool = Spool.open(dir, 1 << 19)) {
            fill(spool, 1200, 10); // several segments of 64 KiB
        }
        var segs = segments(dir);
        assertThat(segs.size()).isGreaterThanOrEqualTo(4);
        long total = 12000;
        try (var f = new RandomAccessFile(segs.get(1).toFile(), "rw")) {
            f.setLength(f.length() / 2); // an older segment cut short: its whole entries stay
        }
        Files.write(segs.get(2), new byte[0]); // emptied
        Files.write(dir.resolve("seg-0000000000000099.spool"), "not a spool file".getBytes(StandardCharsets.UTF_8));
        try (var spool = Spool.open(dir, 1 << 19)) {
            long kept = spool.records();
            assertThat(kept).isPositive().isLessThan(total);
            assertThat(spool.quarantinedFiles()).isEqualTo(2); // the cut one and the foreign one
            assertThat(drainAll(spool)).hasSize((int) kept);
            spool.append(List.of(message(900_000, 1)), "test");
            assertThat(drainAll(spool)).containsExactly(900_000L);
        }
    }

    @Test
    void aDirectoryThatCannotBeUsedGivesASpoolThatRefusesWithTheReason() throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        try (var spool = Spool.open(file.resolve("spool"), 1 << 20)) {
            assertThatThrownBy(() -> spool.append(List.of(message(1, 1)), "test"))
                    .isInstanceOf(SpoolException.class)
                    .hasMessageContaining("cannot be used");
        }
    }

    @Test
    void aClaimGivenBackIsHandedOutAgainFirst() throws Exception {
        try (var spool = Spool.open(dir, 1 << 20)) {
            fill(spool, 5, 1);
            var c = spool.claim(2);
            assertThat(c.messages()).hasSize(2);
            spool.release(c);
            assertThat(spool.claim(2)).isSameAs(c);
            spool.committed(c);
            assertThat(drainAll(spool)).containsExactly(3L, 4L, 5L);
        }
    }

    @Test
    void aRestartAfterACrashMidSegmentDrainsOnlyWhatWasNotCommitted() throws Exception {
        try (var spool = Spool.open(dir, 1 << 20)) {
            fill(spool, 3, 2);
            var first = spool.claim(2);
            var second = spool.claim(2);
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            spool.committed(second); // out of order: the mark waits for the first
        }
        try (var spool = Spool.open(dir, 1 << 20)) {
            assertThat(spool.records())
                    .as("nothing committed before the first claim")
                    .isEqualTo(6);
            var first = spool.claim(2);
            assertThat(first).isNotNull();
            assertThat(first.messages().getFirst().ticket(0)).isEqualTo(1);
            spool.committed(first);
        }
        try (var spool = Spool.open(dir, 1 << 20)) {
            assertThat(spool.records()).isEqualTo(4);
            assertThat(drainAll(spool)).containsExactly(3L, 4L, 5L, 6L);
        }
        try (var files = Files.list(dir)) {
            assertThat(files.filter(p -> !p.getFileName().toString().equals(Spool.MARKER)))
                    .as("segments and drain marks gone")
                    .isEmpty();
        }
    }

    @Test
    void aDamagedDrainMarkMeansTheSegmentIsDrainedWhole() throws Exception {
        try (var spool = Spool.open(dir, 1 << 20)) {
            fill(spool, 2, 1);
            var c = spool.claim(1);
            assertThat(c).isNotNull();
            spool.committed(c);
        }
        Path mark = Segment.markPath(segments(dir).getFirst());
        assertThat(mark).exists();
        Files.write(mark, new byte[16]);
        try (var spool = Spool.open(dir, 1 << 20)) {
            assertThat(drainAll(spool)).containsExactly(1L, 2L);
        }
    }
}
