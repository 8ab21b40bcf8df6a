package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.client.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Re-sends are harmless, conflicts are refused and logged, and one bad message never fails its neighbours. */
class RedeliveryIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    static String row(String url, long ticket) throws Exception {
        try (var c = TestDatabases.connect(url);
                var st = c.createStatement();
                var rs = st.executeQuery(
                        "SELECT login, volume, status, received_at FROM fee WHERE ticket = " + ticket)) {
            return rs.next()
                    ? rs.getLong(1) + " " + rs.getBigDecimal(2).toPlainString() + " " + rs.getString(3) + " "
                            + rs.getTimestamp(4).toInstant()
                    : null;
        }
    }

    @Test
    void identicalResendsChangeNothingAndConflictsAreRefusedAndLogged() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir);
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("77,1,10.5")).isEqualTo("TRUE");
            org.awaitility.Awaitility.await().until(() -> row(ingestd.dbUrl, 77).contains(" Y "));
            String stored = row(ingestd.dbUrl, 77);
            assertThat(req.request("77,1,10.5000")).as("identical re-send").isEqualTo("TRUE");
            assertThat(req.request("77,2,10.5"))
                    .isEqualTo("FALSE conflict: ticket 77 is already stored with a different login or volume");
            assertThat(req.request("77,1,10.6")).startsWith("FALSE conflict");
            assertThat(req.request("78,1,1\n77,9,9")).startsWith("FALSE conflict: line 2: ticket 77");
            assertThat(req.request("79,1,1\n79,1,2")).startsWith("FALSE conflict: line 2: ticket 79 repeats line 1");
            assertThat(row(ingestd.dbUrl, 77)).as("stored row unchanged").isEqualTo(stored);
            assertThat(row(ingestd.dbUrl, 78))
                    .as("nothing of a refused message is written")
                    .isNull();
            assertThat(row(ingestd.dbUrl, 79)).isNull();
        }
        assertThat(Files.readAllLines(ingestd.rejectLog()))
                .filteredOn(l -> l.contains("\"reason\":\"conflict\""))
                .hasSize(4);
    }

    @Test
    void aConflictInAGroupCommitFailsOnlyItsOwnMessage() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir).set("db.writers", "1").set("batch.max", "100000");
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("500,1,1")).isEqualTo("TRUE");
        }
        var replies = new HashMap<Integer, String>();
        try (var sender = new Sender(ingestd.endpoint(), 2000, Sender.Security.NONE)) {
            // many messages in flight at once land in the same transactions; message 700 conflicts, 701 is invalid
            for (int m = 0; m < 1000; m++) {
                String body =
                        m == 700 ? "500,2,1" : m == 701 ? "1,1,x" : (1000 + 2 * m) + ",1,1\n" + (1001 + 2 * m) + ",1,1";
                sender.send(body.getBytes(StandardCharsets.UTF_8), m);
            }
            while (sender.inFlight() > 0) {
                assertThat(sender.receive(
                                Duration.ofSeconds(90),
                                a -> replies.put((Integer) a.request().attachment(), a.reply())))
                        .as(() -> replies.size() + " replies, then none for 30 s; the daemon's log:\n"
                                + Ingestd.logTail(ingestd.endpoint()) + "\nthreads:\n"
                                + Ingestd.threadDump(ingestd.endpoint()))
                        .isPositive();
            }
        }
        assertThat(replies).hasSize(1000);
        assertThat(replies.get(700)).startsWith("FALSE conflict");
        assertThat(replies.get(701)).startsWith("FALSE field volume");
        Map<Integer, String> others = new HashMap<>(replies);
        others.remove(700);
        others.remove(701);
        assertThat(others.values()).allMatch("TRUE"::equals);
        assertThat(EndToEndIT.count(ingestd.dbUrl, "1=1")).isEqualTo(1 + 998 * 2);
        System.out.printf(
                "redelivery: 1000 messages in flight, 998 TRUE, 1 conflict, 1 invalid; stored %d%n",
                EndToEndIT.count(ingestd.dbUrl, "1=1"));
    }
}
