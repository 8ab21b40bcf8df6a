package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import io.ingestd.client.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** The main path on each database: records sent over ZeroMQ are acknowledged only once stored, and reach 'Y'. */
class EndToEndIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void everyAcknowledgedRecordIsStoredAndProcessedAndInvalidOnesAreRejected(TestDatabases db) throws Exception {
        // the two-step path ('N', then 'Y' by the processing stage), as with a FeeProcessor, on each database
        ingestd = Ingestd.on(db, dir).set("process.inline", "false");
        var started = ingestd.startOk();
        assertThat(started.out())
                .matches("(?s)ingestd started \\(pid \\d+\\), listening on tcp://127.0.0.1:\\d+, database .*\n");

        var acknowledged = new HashSet<Long>();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            for (long t = 1; t <= 50; t++) {
                assertThat(req.request(t + ",100" + t + ",1.5")).isEqualTo("TRUE");
                acknowledged.add(t);
            }
            assertThat(req.request("51,7,abc")).isEqualTo("FALSE field volume: not a number 'abc'");
            assertThat(req.request("52,-7,1")).startsWith("FALSE field login: negative");
            assertThat(req.request("53,7,1.12345")).contains("more than 4 decimal places");
            assertThat(req.request("54,7")).contains("expected 3 fields");
            assertThat(req.request("55,7,1\n56,8,x")).startsWith("FALSE line 2: field volume");
            assertThat(req.request("1,1001,1.5")).as("identical re-send").isEqualTo("TRUE");
            assertThat(req.request("1,999,1.5")).as("conflicting re-send").startsWith("FALSE conflict");
        }
        // a pipelining DEALER client with many records per message
        try (var sender = new Sender(ingestd.endpoint(), 16, Sender.Security.NONE)) {
            long t = 1000;
            for (int m = 0; m < 40; m++) {
                var sb = new StringBuilder();
                for (int i = 0; i < 25; i++, t++)
                    sb.append(t).append(",42,").append(t % 97).append(".25\n");
                while (!sender.hasRoom()) sender.receive(Duration.ofSeconds(90), a -> record(a, acknowledged));
                sender.send(sb.toString().getBytes(StandardCharsets.UTF_8), sb.toString());
            }
            while (sender.inFlight() > 0) {
                assertThat(sender.receive(Duration.ofSeconds(90), a -> record(a, acknowledged)))
                        .isPositive();
            }
        }
        assertThat(acknowledged).hasSize(50 + 1000);

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(count(ingestd.dbUrl, "status = 'Y'"))
                .isEqualTo(acknowledged.size()));
        assertThat(count(ingestd.dbUrl, "1=1")).isEqualTo(acknowledged.size());
        assertThat(count(ingestd.dbUrl, "ticket IN (51,52,53,54,55,56)")).isZero();
        assertThat(stored(ingestd.dbUrl, 1)).isEqualTo("1001 1.5000");

        var stopped = ingestd.stop();
        assertThat(stopped.exitCode()).isZero();
        assertThat(stopped.out()).contains("ingestd stopped");
        List<String> rejects = Files.readAllLines(ingestd.rejectLog());
        assertThat(rejects).hasSize(6);
        assertThat(rejects).allMatch(l -> l.startsWith("{\"time\":\""));
        assertThat(String.join("\n", rejects))
                .contains(
                        "\"reason\":\"not_a_number\"",
                        "\"reason\":\"negative\"",
                        "\"reason\":\"too_many_digits\"",
                        "\"reason\":\"field_count\"",
                        "\"reason\":\"conflict\"");
        assertThat(ingestd.status().exitCode()).isEqualTo(ExitCode.STATUS_NOT_RUNNING.code());
    }

    @org.junit.jupiter.api.Test
    void withNoFeeProcessorRowsAreStoredAsProcessedInTheSameTransaction() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir); // process.inline=true is the default
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            for (long t = 1; t <= 20; t++) assertThat(req.request(t + ",5,1")).isEqualTo("TRUE");
            assertThat(req.request("1,6,1")).startsWith("FALSE conflict");
        }
        assertThat(count(ingestd.dbUrl, "status = 'Y' AND processed_at IS NOT NULL"))
                .isEqualTo(20);
        assertThat(count(ingestd.dbUrl, "1=1")).isEqualTo(20);
    }

    private static void record(Sender.Answer a, Set<Long> acknowledged) {
        assertThat(a.reply()).isEqualTo("TRUE");
        for (String line : ((String) a.request().attachment()).lines().toList()) {
            acknowledged.add(Long.parseLong(line.substring(0, line.indexOf(','))));
        }
    }

    /** Migrating from the PHP daemon: its database holds other tables, and its own old {@code fee}. */
    @org.junit.jupiter.api.Test
    void startsInADatabaseWithOtherTablesAndRefusesATableItDidNotCreate() throws Exception {
        String db = TestDatabases.MARIADB.create(dir);
        try (var c = TestDatabases.connect(db);
                var st = c.createStatement()) {
            st.execute(
                    "CREATE TABLE fee (ticket INT NOT NULL, login INT NOT NULL, volume DOUBLE NOT NULL, status CHAR(1))");
            st.execute("INSERT INTO fee VALUES (1, 2, 3.5, 'Y')");
        }
        var refused = new Ingestd(dir.resolve("old"), db).start();
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(ExitCode.DATABASE_FAILED.code());
        assertThat(refused.err())
                .contains("table 'fee' already exists and was not created by ingestd")
                .contains("set db.table to a new table name");

        ingestd = new Ingestd(dir.resolve("new"), db).set("db.table", "fee_ingestd");
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("7,8,9.5")).isEqualTo("TRUE");
        }
        try (var c = TestDatabases.connect(db);
                var st = c.createStatement();
                var rs = st.executeQuery(
                        "SELECT (SELECT COUNT(*) FROM fee), (SELECT COUNT(*) FROM fee_ingestd WHERE ticket = 7)")) {
            rs.next();
            assertThat(rs.getLong(1)).as("the old table is untouched").isEqualTo(1);
            assertThat(rs.getLong(2)).isEqualTo(1);
        }
    }

    static long count(String url, String where) throws SQLException {
        try (var c = TestDatabases.connect(url);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM fee WHERE " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static String stored(String url, long ticket) throws SQLException {
        try (var c = TestDatabases.connect(url);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT login, volume FROM fee WHERE ticket = " + ticket)) {
            return rs.next() ? rs.getLong(1) + " " + rs.getBigDecimal(2).toPlainString() : null;
        }
    }

    static List<Long> tickets(String url, String where) throws SQLException {
        var out = new ArrayList<Long>();
        try (var c = TestDatabases.connect(url);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT ticket FROM fee WHERE " + where)) {
            while (rs.next()) out.add(rs.getLong(1));
        }
        return out;
    }
}
