package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A full disk under the embedded database and the logs (small tmpfs mounts, as root): no TRUE for what cannot be
 * made durable, a clear report, FALSE still answered when the reject log cannot be written, recovery when space
 * returns.
 */
class DiskFullIT {
    @TempDir
    Path dir;

    Ingestd ingestd;
    Path data, logs;

    @AfterEach
    void cleanUp() throws Exception {
        if (ingestd != null) ingestd.cleanUp();
        for (Path m : new Path[] {data, logs}) {
            if (m != null)
                new ProcessBuilder("umount", "-l", m.toString()).start().waitFor();
        }
    }

    static Path tmpfs(Path where, String size) throws Exception {
        Files.createDirectories(where);
        var p = new ProcessBuilder(
                        "mount", "-t", "tmpfs", "-o", "size=" + size + ",mode=0750", "tmpfs", where.toString())
                .inheritIO()
                .start();
        assertThat(p.waitFor()).as("mount tmpfs (needs root)").isZero();
        return where;
    }

    static String lastLines(Path log) throws IOException {
        var lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    static void fill(Path dir) throws IOException {
        try (var out = Files.newOutputStream(dir.resolve("filler"))) {
            byte[] block = new byte[65536];
            while (true) out.write(block);
        } catch (IOException full) {
            // ENOSPC: the disk is full now
        }
    }

    @Test
    void aFullDiskStopsAcknowledgementsUntilSpaceReturns() throws Exception {
        data = tmpfs(dir.resolve("data"), "24m");
        logs = tmpfs(dir.resolve("log"), "1m");
        ingestd = new Ingestd(dir, "").set("db.retry-window", "1s");
        ingestd.settings.removeIf(s -> s.startsWith("db.url="));
        ingestd.startOk();
        Set<Long> acknowledged = new HashSet<>();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            for (long t = 1; t <= 50; t++) if (req.request(t + ",1,1").equals("TRUE")) acknowledged.add(t);
            assertThat(acknowledged).hasSize(50);

            fill(logs);
            assertThat(req.request("x,1,1"))
                    .as("FALSE even when the reject log cannot be written")
                    .startsWith("FALSE");

            fill(data);
            long retried = 0;
            for (long t = 1000; t < 1200 && retried < 3; t++) {
                String r = req.request(t + ",1," + "1".repeat(10));
                if (r.equals("TRUE")) acknowledged.add(t);
                else if (r.startsWith("RETRY")) retried++;
            }
            System.out.printf(
                    "disk full: RETRY after %d more TRUE; %d acknowledged in all%n",
                    acknowledged.size() - 50, acknowledged.size());
            assertThat(retried).as("RETRY once nothing more can be written").isPositive();
            var status = ingestd.status().out();
            assertThat(status).contains("UNHEALTHY");

            Files.delete(data.resolve("filler"));
            Files.delete(logs.resolve("filler"));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> req.request("5000,1,1").equals("TRUE"));
            acknowledged.add(5000L);
        }
        assertThat(ingestd.stop().exitCode()).isZero();
        // a record acknowledged while the database was still away is in the spool (fsynced), and a stop keeps it
        // there: the next start writes it to the database, which is where this test looks for it
        ingestd.startOk();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> ingestd.status().out().contains("spool        0 records"));
        assertThat(ingestd.stop().exitCode()).isZero();
        String url = "jdbc:h2:file:" + data.resolve("ingestd");
        assertThat(EndToEndIT.tickets(url, "1=1"))
                .as("every acknowledged record stored; the daemon's log:%n%s", lastLines(logs.resolve("ingestd.log")))
                .containsAll(acknowledged);
    }

    @Test
    void aReadOnlyDataOrLogDirectoryIsRefusedAtStartWithTheReason() throws Exception {
        data = tmpfs(dir.resolve("data"), "8m");
        logs = tmpfs(dir.resolve("log"), "8m");
        DiskFullIT.remount(data, "ro");
        ingestd = new Ingestd(dir, "");
        ingestd.settings.removeIf(s -> s.startsWith("db.url="));
        var noData = ingestd.start();
        assertThat(noData.exitCode()).as(noData.all()).isEqualTo(ExitCode.LOCK_FAILED.code());
        assertThat(noData.err()).contains("Read-only file system").contains("pid.file");

        DiskFullIT.remount(data, "rw");
        DiskFullIT.remount(logs, "ro");
        var noLog = ingestd.start();
        assertThat(noLog.exitCode()).as(noLog.all()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        assertThat(noLog.err())
                .contains("cannot open log file " + logs.resolve("ingestd.log"))
                .contains("Read-only file system")
                .contains("log.dir");
    }

    static void remount(Path mount, String mode) throws Exception {
        var p = new ProcessBuilder("mount", "-o", "remount," + mode, mount.toString())
                .inheritIO()
                .start();
        assertThat(p.waitFor()).as("remount " + mode).isZero();
    }
}
