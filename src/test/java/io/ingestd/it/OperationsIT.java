package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** What an operator sees: metrics that match what was sent, health that follows the database, status, check-config, send. */
class OperationsIT {
    @TempDir
    Path dir;

    Ingestd ingestd;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    String metricsUrl() {
        return "http://"
                + ingestd.settings.stream()
                        .filter(s -> s.startsWith("metrics.listen="))
                        .findFirst()
                        .orElseThrow()
                        .substring("metrics.listen=".length());
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(metricsUrl() + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void metricsCountWhatWasSentAndHealthFollowsTheDatabase() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir).replace("127.0.0.1:3306", "127.0.0.1:" + proxy.port());
            ingestd = new Ingestd(dir, db).set("db.retry-window", "1s").set("spool", "off");
            ingestd.startOk();
            try (var req = new Clients.Req(ingestd.endpoint())) {
                for (int t = 1; t <= 30; t++)
                    assertThat(req.request(t + ",1,2")).isEqualTo("TRUE");
                assertThat(req.request("31,1,x")).startsWith("FALSE");
                assertThat(req.request("32,-1,2")).startsWith("FALSE");
                assertThat(req.request("33,1,2\n34,1,y")).startsWith("FALSE");
            }
            String m = get("/metrics").body();
            assertThat(m)
                    .contains(
                            "ingestd_records_acknowledged_total 30.0",
                            "ingestd_messages_total 33.0",
                            "ingestd_messages_rejected_total{reason=\"not_a_number\"} 2.0",
                            "ingestd_messages_rejected_total{reason=\"negative\"} 1.0",
                            "ingestd_commit_latency_seconds_count",
                            "ingestd_batch_records_count",
                            "jvm_memory_used_bytes",
                            "ingestd_queue_records");
            assertThat(get("/health").statusCode()).isEqualTo(200);

            var json = ingestd.cli("status", "--json");
            assertThat(json.exitCode()).isZero();
            assertThat(json.out())
                    .contains(
                            "\"state\":\"running\"",
                            "\"pid\":" + ingestd.pid(),
                            "\"records_acknowledged\":30",
                            "\"messages_rejected\":3",
                            "\"listen\":\"" + ingestd.endpoint() + "\"",
                            "\"database_up\":true",
                            "\"healthy\":true",
                            "\"backlog_records\":");

            proxy.cut();
            await().atMost(Duration.ofSeconds(15)).until(() -> get("/health").statusCode() == 503);
            assertThat(get("/health").body()).contains("\"status\":\"unavailable\"", "database unavailable");
            assertThat(ingestd.status().out()).contains("UNAVAILABLE", "UNHEALTHY: database unavailable");
            try (var req = new Clients.Req(ingestd.endpoint())) {
                assertThat(req.request("40,1,2")).startsWith("RETRY database unavailable");
            }
            proxy.restore();
            await().atMost(Duration.ofSeconds(15)).until(() -> get("/health").statusCode() == 200);
            try (var req = new Clients.Req(ingestd.endpoint())) {
                assertThat(req.request("40,1,2")).isEqualTo("TRUE");
            }
        }
    }

    @Test
    @SuppressWarnings("try") // the resource is held, not used: it occupies a port or a lock
    void checkConfigNamesEveryProblemWithItsKey() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        assertThat(ingestd.cli("check-config").out()).contains("configuration is ok");
        Path conf = Files.writeString(
                dir.resolve("bad.properties"),
                "listen = tcp://127.0.0.1:1\nbatch.max = -3\nqueue_max = 5\ndb.retry-window = soon\n");
        var r = Ingestd.run(java.util.Map.of(), "check-config", "--config", conf.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        assertThat(r.err())
                .contains(
                        "unknown key 'queue_max'",
                        "batch.max: '-3' is not a positive integer",
                        "db.retry-window: 'soon' is not a duration");
        int closed = Ingestd.freePort();
        try (var taken = new java.net.ServerSocket(ingestd.port, 1, java.net.InetAddress.getLoopbackAddress())) {
            var r2 = ingestd.cli("check-config", "--set", "db.url=jdbc:mariadb://127.0.0.1:" + closed + "/x?user=root");
            assertThat(r2.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
            assertThat(r2.err())
                    .contains(
                            "db.url: cannot connect to jdbc:mariadb://127.0.0.1:" + closed,
                            "listen: cannot bind " + ingestd.endpoint() + ": address in use");
        }
    }

    @Test
    void sendReportsAMillionLineFileWithLineBasedProgressAndTheRejects() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir);
        ingestd.startOk();
        Path input = dir.resolve("records.csv");
        try (var w = Files.newBufferedWriter(input)) {
            for (int t = 1; t <= 1_000_000; t++) {
                if (t == 500_000) w.write("oops,1,1\n");
                else if (t == 700_000) w.write(t + ",2\n");
                else w.write(t + ",7," + (t % 1000) + ".5\n");
            }
        }
        Path rejects = dir.resolve("rejected.txt");
        var r = ingestd.cli(
                "send", input.toString(), "--rejects", rejects.toString(), "--batch", "500", "--window", "16");
        assertThat(r.exitCode()).as(r.toString()).isEqualTo(ExitCode.FAILED.code());
        assertThat(r.out())
                .contains(
                        "sent 1000000 records",
                        "acknowledged:     999998",
                        "rejected:         2",
                        "not acknowledged: 0",
                        "line 500000: field ticket: not a number 'oops'",
                        "line 700000: expected 3 fields");
        assertThat(r.err().lines().filter(l -> !l.isBlank()))
                .as("progress on a non-terminal is plain lines")
                .allMatch(l -> l.startsWith("progress: ") && !l.contains("\r"));
        assertThat(Files.readAllLines(rejects)).hasSize(2).anyMatch(l -> l.startsWith("oops,1,1\t# field ticket"));
        assertThat(EndToEndIT.count(ingestd.dbUrl, "1=1")).isEqualTo(999_998);
    }
}
