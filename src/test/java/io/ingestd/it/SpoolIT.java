package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The spool's side of a database outage (the database goes away through a proxy): every valid request is answered
 * TRUE throughout, survives kill -9 and a start while the database is still away, and is stored exactly once and
 * 'Y' once it returns. With {@code spool=off}, {@link OutageIT} covers today's RETRY behaviour.
 */
class SpoolIT {
    static final long OUTAGE_SECONDS = Long.getLong("ingestd.spool.outage.seconds", 30);

    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    static long field(Ingestd i, String name) {
        var m = Pattern.compile("\"" + name + "\":(\\d+)")
                .matcher(i.cli("status", "--json").out());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    static void awaitSpoolEmpty(Ingestd i, Duration max) {
        await().atMost(max).pollInterval(Duration.ofMillis(200)).until(() -> {
            String json = i.cli("status", "--json").out();
            return json.contains("\"spool_records\":0,") && json.contains("\"database_up\":true");
        });
    }

    static boolean dead(int pid) {
        try {
            return new Proc(pid).stat()[2].equals("Z");
        } catch (Exception gone) {
            return true;
        }
    }

    /** A lock-step client on its own thread: one request, one reply, new tickets; remembers anything not TRUE. */
    static final class LockStep {
        final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
        final List<String> notTrue = java.util.Collections.synchronizedList(new ArrayList<>());
        final AtomicLong trues = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final Thread thread;

        LockStep(String endpoint, long firstTicket) {
            thread = Thread.ofPlatform().daemon().name("lock-step").start(() -> {
                try (var req = new Clients.Req(endpoint)) {
                    for (long t = firstTicket; running.get(); t++) {
                        String r = req.request(t + "," + (t % 1000 + 1) + ",1.25");
                        if (r.equals("TRUE")) {
                            acknowledged.add(t);
                            trues.incrementAndGet();
                        } else {
                            notTrue.add(t + ": " + r);
                        }
                    }
                }
            });
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }
    }

    static double rate(AtomicLong counter, long millis) throws InterruptedException {
        long a = counter.get();
        Thread.sleep(millis); // measuring a rate over a fixed window
        return (counter.get() - a) * 1000.0 / millis;
    }

    @Test
    void aThirtySecondOutageUnderLoadIsAnsweredTrueThroughoutAndStoredExactlyOnceAfterwards() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/"));
            ingestd.startOk();
            var lockStep = new LockStep(ingestd.endpoint(), 100_000_000);
            try (var load = new Load(1, 32, 10, ingestd.endpoint())) {
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> load.trues.get() > 300 && lockStep.trues.get() > 100);
                double lockStepBefore = rate(lockStep.trues, 2000), loadBefore = rate(load.trues, 2000);
                proxy.cut();
                long cutAt = System.nanoTime();
                await().atMost(Duration.ofSeconds(10)).until(() -> field(ingestd, "spool_records") > 0);
                double lockStepDuring = rate(lockStep.trues, 3000), loadDuring = rate(load.trues, 3000);
                assertThat(ingestd.status().out()).contains("DEGRADED", "spool");
                long rest = OUTAGE_SECONDS * 1000 - (System.nanoTime() - cutAt) / 1_000_000;
                if (rest > 0) Thread.sleep(rest); // the outage itself: a duration, not a synchronisation
                long spooled = field(ingestd, "spool_records");
                long oldest = field(ingestd, "spool_oldest_seconds");
                proxy.restore();
                long restoredAt = System.nanoTime();
                awaitSpoolEmpty(ingestd, Duration.ofMinutes(2));
                double drainSeconds = (System.nanoTime() - restoredAt) / 1e9;
                long drainRate = field(ingestd, "spool_drain_per_second");
                lockStep.stop();
                assertThat(load.finish(Duration.ofSeconds(60)))
                        .as(load.summary())
                        .isTrue();
                awaitSpoolEmpty(ingestd, Duration.ofSeconds(60));
                long stored = EndToEndIT.count(db, "1=1");
                long acknowledged = (long) load.acknowledged.size() + lockStep.acknowledged.size();
                System.out.printf(
                        "spool outage: %d s; pipelined %s; lock-step %d TRUE; spooled %d records (oldest %d s)"
                                + "; TRUE/s before: lock-step %.0f, pipelined %.0f msgs; during: lock-step %.0f, pipelined "
                                + "%.0f msgs; drained in %.1f s (%d records/s); stored %d, acknowledged %d%n",
                        OUTAGE_SECONDS,
                        load.summary(),
                        lockStep.trues.get(),
                        spooled,
                        oldest,
                        lockStepBefore,
                        loadBefore,
                        lockStepDuring,
                        loadDuring,
                        drainSeconds,
                        drainRate,
                        stored,
                        acknowledged);
                assertThat(lockStep.notTrue).as("every lock-step request TRUE").isEmpty();
                assertThat(load.retries.get() + load.falses.get() + load.unanswered.get())
                        .as(load.summary())
                        .isZero();
                assertThat(spooled).isPositive();
                var storedTickets = new java.util.HashSet<>(EndToEndIT.tickets(db, "1=1"));
                assertThat(storedTickets.containsAll(load.acknowledged))
                        .as("every pipelined TRUE stored")
                        .isTrue();
                assertThat(storedTickets.containsAll(lockStep.acknowledged))
                        .as("every lock-step TRUE stored")
                        .isTrue();
                assertThat(stored).as("stored exactly once, nothing else").isEqualTo(acknowledged);
                assertThat(EndToEndIT.count(db, "status = 'Y'")).isEqualTo(stored);
            } finally {
                lockStep.stop();
            }
            assertThat(segments(dir.resolve("data/spool")))
                    .as("no spool files left")
                    .isEmpty();
        }
    }

    static List<Path> segments(Path spool) throws Exception {
        try (var s = Files.list(spool)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".spool")).toList();
        }
    }

    @Test
    void killMinus9DuringAnOutageThenAStartWhileTheDatabaseIsStillAwayLosesNothing() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/"));
            ingestd.startOk();
            var acknowledged = new ArrayList<Long>();
            try (var req = new Clients.Req(ingestd.endpoint())) {
                for (long t = 1; t <= 100; t++)
                    assertThat(req.request(t + ",1,1")).isEqualTo("TRUE");
                proxy.cut();
                for (long t = 101; t <= 400; t++)
                    assertThat(req.request(t + ",1,1")).as("ticket " + t).isEqualTo("TRUE");
            }
            int pid = ingestd.pid();
            new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
            await().atMost(Duration.ofSeconds(10)).until(() -> dead(pid));

            var started = ingestd.start();
            assertThat(started.exitCode()).as(started.all()).isZero();
            assertThat(started.out()).contains("DEGRADED", "unreachable");
            assertThat(ingestd.status().out()).contains("DEGRADED", "300 records");
            var health = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + metrics() + "/health"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).contains("\"status\":\"degraded\"");
            try (var req = new Clients.Req(ingestd.endpoint())) {
                for (long t = 401; t <= 500; t++)
                    assertThat(req.request(t + ",1,1")).as("ticket " + t).isEqualTo("TRUE");
            }
            proxy.restore();
            awaitSpoolEmpty(ingestd, Duration.ofSeconds(60));
            for (long t = 1; t <= 500; t++) acknowledged.add(t);
            long stored = EndToEndIT.count(db, "1=1");
            System.out.printf(
                    "spool kill -9: 300 spooled before the kill, 100 after a degraded start; stored %d, 'Y' %d%n",
                    stored, EndToEndIT.count(db, "status = 'Y'"));
            assertThat(EndToEndIT.tickets(db, "1=1")).containsExactlyInAnyOrderElementsOf(acknowledged);
            assertThat(EndToEndIT.count(db, "status = 'Y'")).isEqualTo(500);
        }
    }

    String metrics() {
        return ingestd.settings.stream()
                .filter(s -> s.startsWith("metrics.listen="))
                .findFirst()
                .orElseThrow()
                .substring("metrics.listen=".length());
    }

    @Test
    void aConflictingResendDuringAnOutageEndsInTheRejectLogAndLeavesTheStoredRow() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/"));
            ingestd.startOk();
            try (var req = new Clients.Req(ingestd.endpoint())) {
                assertThat(req.request("5,1,1")).isEqualTo("TRUE");
                proxy.cut();
                assertThat(req.request("5,2,1"))
                        .as("cannot be checked while the database is away")
                        .isEqualTo("TRUE");
                assertThat(req.request("6,1,1")).isEqualTo("TRUE");
                assertThat(req.request("6,2,1")).as("checked against the spool").startsWith("FALSE conflict");
                assertThat(req.request("6,1,1")).as("an identical re-send").isEqualTo("TRUE");
                proxy.restore();
                awaitSpoolEmpty(ingestd, Duration.ofSeconds(30));
            }
            String rejects = Files.readString(ingestd.rejectLog());
            String log = Files.readString(ingestd.log());
            System.out.printf(
                    "spool conflict: rejects.log %s%n",
                    rejects.lines()
                            .filter(l -> l.contains("ticket 5"))
                            .findFirst()
                            .orElse("(none)"));
            assertThat(rejects).contains("ticket 5 is already stored", "5,2,1");
            assertThat(log).containsPattern("ERROR.*spooled record not stored.*ticket 5");
            assertThat(EndToEndIT.stored(db, 5)).isEqualTo("1 1.0000");
            assertThat(EndToEndIT.stored(db, 6)).isEqualTo("1 1.0000");
            assertThat(field(ingestd, "spool_conflicts")).isEqualTo(1);
            var m = java.net.http.HttpClient.newHttpClient()
                    .send(
                            java.net.http.HttpRequest.newBuilder(
                                            java.net.URI.create("http://" + metrics() + "/metrics"))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            assertThat(m.body())
                    .contains(
                            "ingestd_spool_conflicts_total 1.0",
                            "ingestd_spool_records 0.0",
                            "ingestd_spool_bytes",
                            "ingestd_spool_oldest_seconds");
        }
    }

    @Test
    void atTheDrainOnlyTheConflictingRecordOfAMessageIsRejectedAndReplayStoresItOnceFixed() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/"));
            ingestd.startOk();
            String message = "8000003,1,1\n8000001,1,9.9\n8000002,1,1";
            try (var req = new Clients.Req(ingestd.endpoint())) {
                assertThat(req.request("8000001,1,1")).isEqualTo("TRUE");
                assertThat(req.request("8000002,1,1")).isEqualTo("TRUE");
                assertThat(req.request(message)).as("database up").startsWith("FALSE conflict: line 2: ticket 8000001");
                proxy.cut();
                assertThat(req.request(message))
                        .as("a new ticket, a conflicting and an identical re-send, while the database is away")
                        .isEqualTo("TRUE");
                assertThat(field(ingestd, "spool_records")).isEqualTo(3);
                proxy.restore();
                awaitSpoolEmpty(ingestd, Duration.ofSeconds(30));
            }
            assertThat(EndToEndIT.stored(db, 8000003))
                    .as("the new ticket is stored")
                    .isEqualTo("1 1.0000");
            assertThat(EndToEndIT.stored(db, 8000001))
                    .as("the stored row stays")
                    .isEqualTo("1 1.0000");
            assertThat(EndToEndIT.count(db, "1=1")).isEqualTo(3);
            assertThat(field(ingestd, "spool_conflicts"))
                    .as("one conflicting record")
                    .isEqualTo(1);
            assertThat(spoolRejects())
                    .singleElement()
                    .asString()
                    .contains("ticket 8000001 is already stored", "\"raw\":\"8000001,1,9.9\\n\"");

            String rejectLog = ingestd.rejectLog().toString();
            var unfixed = ingestd.cli("replay", rejectLog);
            assertThat(unfixed.exitCode()).as(unfixed.all()).isEqualTo(1);
            assertThat(unfixed.out())
                    .containsPattern("rejects\\.log:\\d+: 8000001,1,9\\.9: FALSE conflict: ticket 8000001")
                    .contains("skipped 1 entries answered FALSE to their sender");

            try (var c = TestDatabases.connect(db);
                    var st = c.createStatement()) {
                st.executeUpdate("DELETE FROM fee WHERE ticket = 8000001"); // the fix: the stored row was the wrong one
            }
            for (int run = 1; run <= 2; run++) {
                var replay = ingestd.cli("replay", rejectLog);
                assertThat(replay.exitCode())
                        .as("replay %d: %s", run, replay.all())
                        .isZero();
                assertThat(replay.out())
                        .containsPattern("rejects\\.log:\\d+: 8000001,1,9\\.9: TRUE")
                        .contains("acknowledged:     1");
                assertThat(EndToEndIT.stored(db, 8000001)).isEqualTo("1 9.9000");
                assertThat(EndToEndIT.count(db, "1=1"))
                        .as("replay %d: nothing stored twice", run)
                        .isEqualTo(3);
            }
            assertThat(spoolRejects())
                    .as("a replay rejects nothing at the drain")
                    .hasSize(1);
        }
    }

    List<String> spoolRejects() throws Exception {
        return Files.readAllLines(ingestd.rejectLog()).stream()
                .filter(l -> l.contains("\"peer\":\"spool\""))
                .toList();
    }
}
