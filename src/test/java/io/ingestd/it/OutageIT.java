package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The database goes away under load (through a proxy, so the real server stays up for other tests): the daemon
 * stays up, answers RETRY, never TRUE for an uncommitted record, and is back within 2 s of the database's return.
 * With {@code spool=off}: the spool's counterpart (TRUE through the outage) is {@link SpoolIT}.
 */
class OutageIT {
    static final long OUTAGE_SECONDS = Long.getLong("ingestd.outage.seconds", 8);

    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void survivesADatabaseOutageAndRecoversWithinTwoSeconds() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/"))
                    .set("db.retry-window", "2s")
                    .set("spool", "off");
            ingestd.startOk();
            int pid = ingestd.pid();
            try (var load = new Load(1, 32, 5, ingestd.endpoint())) {
                await().atMost(Duration.ofSeconds(30)).until(() -> load.trues.get() > 300);
                long t0 = System.nanoTime();
                long truesBefore = load.trues.get();
                double rateBefore = rate(load, 1000);
                proxy.cut();
                await().atMost(Duration.ofSeconds(15)).until(() -> load.retries.get() > 0);
                long truesAtCut = load.trues.get();
                Thread.sleep(OUTAGE_SECONDS * 1000); // the outage itself: a duration, not a synchronisation
                long truesDuringOutage = load.trues.get() - truesAtCut;
                proxy.restore();
                System.out.println("outage: restored at " + java.time.Instant.now());
                long restored = System.nanoTime();
                long before = load.trues.get();
                await().atMost(Duration.ofSeconds(10)).until(() -> load.trues.get() > before);
                double firstTrueAfter = (System.nanoTime() - restored) / 1e9;
                double rateAfter = rate(load, 1000);
                assertThat(load.finish(Duration.ofSeconds(60)))
                        .as(load.summary())
                        .isTrue();
                long stored = EndToEndIT.count(ingestd.dbUrl.replace(":" + proxy.port() + "/", ":3306/"), "1=1");
                System.out.printf(
                        "outage: %d s; %s; TRUE during outage %d; rate before %.0f msg/s, after %.0f msg/s;"
                                + " first TRUE %.2f s after the database returned; stored %d%n",
                        OUTAGE_SECONDS,
                        load.summary(),
                        truesDuringOutage,
                        rateBefore,
                        rateAfter,
                        firstTrueAfter,
                        stored);
                assertThat(ProcessHandle.of(pid)).as("the daemon never exited").isPresent();
                assertThat(load.retries.get()).isPositive();
                assertThat(truesDuringOutage)
                        .as("no TRUE while the database is away (after in-flight commits)")
                        .isLessThan(40);
                assertThat(firstTrueAfter).isLessThan(2.0);
                assertThat(EndToEndIT.tickets(db, "1=1")).containsAll(load.acknowledged);
                assertThat(stored).isEqualTo(load.acknowledged.size());
                assertThat(truesBefore).isPositive();
                assertThat(t0).isPositive();
                // the outage is logged once when it starts and once when it ends, not every sweep in between
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> Files.readString(ingestd.log()).contains("database available again after"));
                String log = Files.readString(ingestd.log());
                assertThat(log).contains("database unavailable: ");
                assertThat(log.lines()
                                .filter(l -> l.contains("processing failed"))
                                .count())
                        .isLessThanOrEqualTo(1);
            }
        }
    }

    @Test
    void connectionsLostAtRandomMomentsNeverLoseOrDuplicateAnAcknowledgedRecord() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir);
            ingestd = new Ingestd(dir, db.replace(":3306/", ":" + proxy.port() + "/")).set("spool", "off");
            ingestd.startOk();
            try (var load = new Load(1, 32, 20, ingestd.endpoint())) {
                var random = new java.util.Random(42);
                for (int i = 0; i < 15; i++) {
                    long t = load.trues.get();
                    await().atMost(Duration.ofSeconds(30)).until(() -> load.trues.get() > t + 5);
                    Thread.sleep(random.nextInt(150)); // a random moment: commits, inserts, idle
                    proxy.dropConnections();
                }
                assertThat(load.finish(Duration.ofSeconds(60)))
                        .as(load.summary())
                        .isTrue();
                long stored = EndToEndIT.count(db, "1=1");
                System.out.printf("connection drops: 15; %s; stored %d%n", load.summary(), stored);
                assertThat(EndToEndIT.tickets(db, "1=1")).containsAll(load.acknowledged);
                assertThat(stored).isEqualTo(load.generated() - 1);
            }
        }
    }

    private static double rate(Load load, long millis) throws InterruptedException {
        long a = load.trues.get();
        Thread.sleep(millis); // measuring a rate over a fixed window
        return (load.trues.get() - a) * 1000.0 / millis;
    }
}
