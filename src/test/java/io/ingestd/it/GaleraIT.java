package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.it.processor.JournalingProcessor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two ingestd nodes on a real 3-node Galera cluster, each with a multi-host URL (in a different order): a database
 * node and an ingestd node killed under load, both restarted; the same tickets through both nodes at once. Every
 * acknowledged record is stored once on every database node, processed ('Y') once, journaled once.
 */
class GaleraIT {
    static GaleraCluster cluster;

    @TempDir
    static Path dir;

    Ingestd a, b;

    @BeforeAll
    static void startCluster() throws Exception {
        long t0 = System.nanoTime();
        cluster = GaleraCluster.start();
        System.out.printf(
                "galera: %s (%.1f s with the test's set-up)%n", cluster.startLine, (System.nanoTime() - t0) / 1e9);
    }

    @AfterAll
    static void stopCluster() {
        if (cluster != null) cluster.close();
    }

    @AfterEach
    void stopNodes() {
        if (a != null) a.cleanUp();
        if (b != null) b.cleanUp();
    }

    /** A new database on the cluster with the journal table; two ingestd nodes on it, through different first nodes. */
    private String startNodes(String name) throws Exception {
        String db = "it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (var c = cluster.connect(1, "mysql");
                var st = c.createStatement()) {
            st.execute("CREATE DATABASE " + db);
            st.execute("CREATE TABLE " + db + ".fee_journal (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                    + "ticket BIGINT NOT NULL, amount DECIMAL(30,4) NOT NULL, KEY (ticket))");
        }
        Path outside = JournalingProcessor.outsideJournal(db);
        Files.deleteIfExists(outside);
        Files.createFile(outside);
        a = node(dir.resolve(name + "-a"), cluster.url(db, 1, 2, 3));
        b = node(dir.resolve(name + "-b"), cluster.url(db, 2, 3, 1));
        a.startOk();
        b.startOk();
        return db;
    }

    private static Ingestd node(Path home, String url) throws Exception {
        return new Ingestd(home, url).set("process.sweep-interval", "1s").withJournalingProcessor();
    }

    @Test
    void killingADatabaseNodeAndAnIngestdNodeUnderLoadLosesAndRepeatsNothing() throws Exception {
        String db = startNodes("kill");
        try (var toA = new Load(1, 8, 5, a.endpoint(), b.endpoint());
                var toB = new Load(1_000_000_000L, 8, 5, b.endpoint(), a.endpoint())) {
            awaitMore(toA, toB, 150);
            cluster.kill(1); // node a's first host
            awaitMore(toA, toB, 150);
            // node a went on through another database node: status names it and counts the failover
            String status = a.status().out();
            System.out.println("galera kill: a's status: "
                    + status.lines()
                            .filter(l -> l.contains("db node"))
                            .findFirst()
                            .orElse("(no db node line)")
                            .strip());
            assertThat(status).containsPattern("db node +127\\.0\\.0\\.1:\\d+ \\(last commit\\); [1-9]\\d* failovers");
            assertThat(status).doesNotContain("db node      " + cluster.hosts.getFirst() + " ");
            new ProcessBuilder("kill", "-9", String.valueOf(b.pid())).start().waitFor();
            awaitMore(toA, toB, 150);
            System.out.println("galera: " + cluster.restart(1));
            assertThat(b.start().exitCode()).isZero();
            awaitMore(toA, toB, 150);
            assertThat(toA.finish(Duration.ofSeconds(60))).as(toA.summary()).isTrue();
            assertThat(toB.finish(Duration.ofSeconds(60))).as(toB.summary()).isTrue();
            var acknowledged = new java.util.HashSet<Long>(toA.acknowledged);
            acknowledged.addAll(toB.acknowledged);
            long generated = (toA.generated() - 1) + (toB.generated() - 1_000_000_000L);
            // rows the killed ingestd node left 'N' are its own again after its restart (the same claim)
            await().atMost(Duration.ofSeconds(60)).until(() -> waiting(db) == 0);
            System.out.printf("galera kill: A %s%ngalera kill: B %s%n", toA.summary(), toB.summary());
            checkEveryNode(db, acknowledged, generated, "galera kill");
            Map<Long, Integer> outside = outsideJournal(db);
            long repeated = outside.values().stream().filter(n -> n > 1).count();
            System.out.printf(
                    "galera kill: outside journal %d lines for %d tickets, %d tickets processed more than once "
                            + "(a run rolled back by a kill repeats its outside effects)%n",
                    outside.values().stream().mapToInt(Integer::intValue).sum(), outside.size(), repeated);
            assertThat(outside.keySet())
                    .as("the processor ran for every record")
                    .containsAll(acknowledged);
        }
    }

    @Test
    void theSameTicketsThroughTwoNodesAtOnceAreStoredAndProcessedOnce() throws Exception {
        String db = startNodes("conflict");
        long certFailuresBefore = certFailures();
        int rounds = 200;
        var replies = new ConcurrentHashMap<String, Integer>();
        var start = new CountDownLatch(1);
        var threads = new ArrayList<Thread>();
        long warmUp = 100_000;
        for (var endpoint : List.of(a.endpoint(), b.endpoint())) {
            long own = ++warmUp;
            threads.add(Thread.ofPlatform().start(() -> {
                try (var ctx = new ZContext();
                        var req = ctx.createSocket(SocketType.REQ)) {
                    req.setReceiveTimeOut((int) Ingestd.timeout().toMillis());
                    req.connect(endpoint);
                    // a first record of its own, so both nodes are connected and warm when the race starts
                    req.send(own + ",1,1.5");
                    replies.merge("warm-up " + req.recvStr(), 1, Integer::sum);
                    start.await();
                    for (long t = 1; t <= rounds; t++) {
                        // the same record, sent at the same moment through the other node too
                        req.send(t + "," + (t % 7 + 1) + ",1.5");
                        String reply = req.recvStr();
                        replies.merge(String.valueOf(reply), 1, Integer::sum);
                        if (reply == null) return; // no reply within the timeout: the assertion below shows it
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        await().atMost(Ingestd.timeout())
                .until(() -> replies.getOrDefault("warm-up TRUE", 0) == 2
                        || replies.keySet().stream()
                                .anyMatch(k -> k.startsWith("warm-up") && !k.equals("warm-up TRUE")));
        start.countDown();
        for (var t : threads) t.join(120_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> waiting(db) == 0);
        long conflicts = certFailures() - certFailuresBefore;
        System.out.printf(
                "galera conflict: %d records each sent through both nodes: replies %s; %d certification "
                        + "failures in the cluster%n",
                rounds, replies, conflicts);
        assertThat(replies).containsOnlyKeys("warm-up TRUE", "TRUE").containsEntry("TRUE", 2 * rounds);
        var all = new java.util.HashSet<Long>(List.of(100_001L, 100_002L));
        for (long t = 1; t <= rounds; t++) all.add(t);
        checkEveryNode(db, all, all.size(), "galera conflict");
        Map<Long, Integer> outside = outsideJournal(db);
        assertThat(outside.keySet()).isEqualTo(all);
        assertThat(outside.values())
                .as("no crash: the processor ran exactly once per record")
                .containsOnly(1);
    }

    private void awaitMore(Load x, Load y, long more) {
        long target = x.trues.get() + y.trues.get() + more;
        await().atMost(Duration.ofSeconds(60)).until(() -> x.trues.get() + y.trues.get() >= target);
    }

    private long waiting(String db) throws SQLException {
        try (var c = cluster.connect(2, db);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM fee WHERE status = 'N'")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long certFailures() throws SQLException {
        long sum = 0;
        for (int n = 1; n <= 3; n++) {
            try (var c = cluster.connect(n, "mysql");
                    var st = c.createStatement();
                    var rs = st.executeQuery("SHOW GLOBAL STATUS LIKE 'wsrep_local_cert_failures'")) {
                if (rs.next()) sum += rs.getLong(2);
            }
        }
        return sum;
    }

    /** On each database node: every acknowledged ticket stored, nothing else, all 'Y', journaled exactly once. */
    private void checkEveryNode(String db, Set<Long> acknowledged, long generated, String label) throws SQLException {
        for (int n = 1; n <= 3; n++) {
            try (var c = cluster.connect(n, db);
                    var st = c.createStatement()) {
                var stored = new java.util.HashSet<Long>();
                long yes = 0;
                try (var rs = st.executeQuery("SELECT ticket, status FROM fee")) {
                    while (rs.next()) {
                        stored.add(rs.getLong(1));
                        if (rs.getString(2).equals("Y")) yes++;
                    }
                }
                long journal, distinct, missing;
                try (var rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT j.ticket), "
                        + "(SELECT COUNT(*) FROM fee f WHERE NOT EXISTS (SELECT 1 FROM fee_journal x WHERE x.ticket = f.ticket)) "
                        + "FROM fee_journal j")) {
                    rs.next();
                    journal = rs.getLong(1);
                    distinct = rs.getLong(2);
                    missing = rs.getLong(3);
                }
                System.out.printf(
                        "%s: db node %d: %d acknowledged, %d stored, %d 'Y', journal %d rows for %d tickets, "
                                + "%d stored without a journal row%n",
                        label, n, acknowledged.size(), stored.size(), yes, journal, distinct, missing);
                assertThat(stored)
                        .as("node %d stores every acknowledged ticket", n)
                        .containsAll(acknowledged);
                assertThat((long) stored.size())
                        .as("node %d: every generated ticket once, nothing else", n)
                        .isEqualTo(generated);
                assertThat(yes).as("node %d: all 'Y'", n).isEqualTo(stored.size());
                assertThat(missing)
                        .as("node %d: no row processed without its journal row", n)
                        .isZero();
                assertThat(journal)
                        .as("node %d: journaled exactly once each", n)
                        .isEqualTo(stored.size());
                assertThat(distinct).isEqualTo(stored.size());
            }
        }
    }

    private static Map<Long, Integer> outsideJournal(String db) throws java.io.IOException {
        var counts = new HashMap<Long, Integer>();
        Path f = JournalingProcessor.outsideJournal(db);
        for (String line : Files.readAllLines(f)) {
            if (!line.isBlank()) counts.merge(Long.parseLong(line.strip()), 1, Integer::sum);
        }
        Files.delete(f);
        return counts;
    }
}
