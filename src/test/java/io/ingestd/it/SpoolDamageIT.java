package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.protocol.Records;
import io.ingestd.spool.Spool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What can go wrong with the spool itself: damaged files at start (the daemon starts, drains what is whole,
 * quarantines the rest and says so), a full spool and a full disk (RETRY, never a TRUE for what is not on disk,
 * TRUE again once there is room).
 */
class SpoolDamageIT {
    @TempDir
    Path dir;

    Ingestd ingestd;
    Path mount;

    @AfterEach
    void cleanUp() throws Exception {
        if (ingestd != null) ingestd.cleanUp();
        if (mount != null)
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
    }

    static List<Long> tickets(Path spoolDir) {
        var out = new ArrayList<Long>();
        try (var spool = Spool.open(spoolDir, 1L << 30)) {
            for (Spool.Claim c; (c = spool.claim(5000)) != null; ) {
                for (var m : c.messages()) for (int i = 0; i < m.size(); i++) out.add(m.ticket(i));
                spool.committed(c);
            }
        }
        return out;
    }

    static void copy(Path from, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(from)) {
            for (Path p : files.toList()) if (Files.isRegularFile(p)) Files.copy(p, to.resolve(p.getFileName()));
        }
    }

    @Test
    void aDamagedSpoolNeverStopsTheStartAndWhatIsWholeIsDrained() throws Exception {
        String db = TestDatabases.MARIADB.create(dir);
        Path spoolDir = dir.resolve("data/spool");
        try (var spool = Spool.open(spoolDir, 1 << 19)) { // 64 KiB segments
            for (long i = 0; i < 1200; i++) {
                var rec = new Records(10);
                for (int j = 0; j < 10; j++) rec.add(i * 10 + j + 1, 1, 10_000);
                spool.append(List.of(rec), "test");
            }
        }
        List<Path> segs;
        try (var s = Files.list(spoolDir)) {
            segs = s.filter(p -> p.toString().endsWith(".spool")).sorted().toList();
        }
        assertThat(segs.size()).isGreaterThanOrEqualTo(5);
        try (var f = new RandomAccessFile(segs.get(0).toFile(), "rw")) { // flipped bytes in the middle
            f.seek(f.length() / 2);
            f.write(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        }
        try (var f = new RandomAccessFile(segs.get(1).toFile(), "rw")) { // an older file cut short
            f.setLength(f.length() / 3);
        }
        Files.write(segs.get(2), new byte[0]); // an empty file
        try (var f = new RandomAccessFile(segs.getLast().toFile(), "rw")) { // a torn tail
            f.setLength(f.length() - 7);
        }
        Path probe = dir.resolve("expected");
        copy(spoolDir, probe);
        var expected = tickets(probe);

        ingestd = new Ingestd(dir, db);
        var started = ingestd.start();
        assertThat(started.exitCode()).as(started.all()).isZero();
        SpoolIT.awaitSpoolEmpty(ingestd, Duration.ofSeconds(60));
        var stored = EndToEndIT.tickets(db, "1=1");
        String log = Files.readString(ingestd.log());
        System.out.printf(
                "spool damage: 12000 records spooled in %d files; after damage %d whole, stored %d; quarantined %d%n",
                segs.size(), expected.size(), stored.size(), SpoolIT.field(ingestd, "spool_quarantined"));
        assertThat(stored).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(expected.size()).isGreaterThan(12000 - 3 * 2700).isLessThan(12000);
        assertThat(EndToEndIT.count(db, "status = 'Y'")).isEqualTo(stored.size());
        assertThat(log)
                .containsPattern("ERROR.*spool segment .*" + segs.get(0).getFileName() + " is damaged.*quarantine")
                .containsPattern("ERROR.*spool segment .*" + segs.get(1).getFileName() + " is damaged")
                .contains("torn tail")
                .contains(segs.get(2).getFileName() + " was empty");
        assertThat(SpoolIT.field(ingestd, "spool_quarantined")).isEqualTo(2);
        assertThat(ingestd.status().out()).contains("2 files quarantined");
        try (var q = Files.list(spoolDir.resolve("quarantine"))) {
            assertThat(q.toList()).hasSize(2);
        }
    }

    @Test
    void aFullSpoolAnswersRetryUntilItIsDrained() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/")).set("spool.max-bytes", "64k");
            ingestd.startOk();
            Set<Long> acknowledged = new HashSet<>();
            try (var req = new Clients.Req(ingestd.endpoint())) {
                assertThat(req.request("1,1,1")).isEqualTo("TRUE");
                acknowledged.add(1L);
                proxy.cut();
                String reply = "";
                long t = 1000;
                for (; t < 100_000 && !reply.startsWith("RETRY"); t += 100) {
                    reply = req.request(Load.body(range(t, 100)));
                    if (reply.equals("TRUE")) for (long x = t; x < t + 100; x++) acknowledged.add(x);
                }
                assertThat(reply).startsWith("RETRY spool full");
                for (int i = 0; i < 5; i++)
                    assertThat(req.request(Load.body(range(t, 100)))).startsWith("RETRY spool full");
                System.out.printf(
                        "spool full: %d records acknowledged into a 64 KiB spool, then %s%n",
                        acknowledged.size() - 1, reply);
                proxy.restore();
                long last = t;
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> req.request(Load.body(range(last, 100))).equals("TRUE"));
                for (long x = last; x < last + 100; x++) acknowledged.add(x);
                SpoolIT.awaitSpoolEmpty(ingestd, Duration.ofSeconds(30));
            }
            assertThat(EndToEndIT.tickets(db, "1=1")).containsExactlyInAnyOrderElementsOf(acknowledged);
        }
    }

    @Test
    void aFullDiskUnderTheSpoolAnswersRetryAndTrueAgainWhenThereIsRoom() throws Exception {
        mount = DiskFullIT.tmpfs(dir.resolve("spool"), "2m");
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd =
                    new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/")).set("spool.dir", mount.toString());
            ingestd.startOk();
            Set<Long> acknowledged = new HashSet<>();
            try (var req = new Clients.Req(ingestd.endpoint())) {
                proxy.cut();
                for (long t = 1; t <= 20; t++) {
                    assertThat(req.request(t + ",1,1")).isEqualTo("TRUE");
                    acknowledged.add(t);
                }
                DiskFullIT.fill(mount);
                long retried = 0, t = 100;
                for (; t < 400 && retried < 3; t++) {
                    String r = req.request(t + ",1,1");
                    if (r.equals("TRUE")) acknowledged.add(t);
                    else if (r.startsWith("RETRY spool cannot be written")) retried++;
                    else throw new AssertionError("unexpected reply " + r);
                }
                assertThat(retried).isEqualTo(3);
                System.out.printf("spool disk full: RETRY after %d TRUE in all%n", acknowledged.size());
                Files.delete(mount.resolve("filler"));
                long next = t;
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> req.request(next + ",1,1").equals("TRUE"));
                acknowledged.add(next);
                proxy.restore();
                SpoolIT.awaitSpoolEmpty(ingestd, Duration.ofSeconds(30));
            }
            assertThat(EndToEndIT.tickets(db, "1=1")).containsAll(acknowledged);
        }
    }

    static long[] range(long from, int n) {
        var r = new long[n];
        for (int i = 0; i < n; i++) r[i] = from + i;
        return r;
    }
}
