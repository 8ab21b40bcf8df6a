package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Far more offered than the daemon can commit: memory stays bounded and flat, clients are slowed, nothing dropped. */
class FloodIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void aFloodOfBadMessagesCannotFillTheDiskThroughRejectsLog() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        ingestd.startOk();
        int sent = 0;
        long start = System.nanoTime();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            for (; sent < 3000; sent++) assertThat(req.request("not,a,record")).startsWith("FALSE");
            // a rejected message after a second boundary reports what was left out (the rate limit's window)
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                assertThat(req.request("still,not,one")).startsWith("FALSE");
                return java.nio.file.Files.readString(ingestd.log()).contains("lines about rejected messages left out");
            });
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long lines = java.nio.file.Files.readAllLines(ingestd.rejectLog()).size();
        // one connection: at most 20 lines a second, whatever was sent (every message still got its FALSE)
        assertThat(lines).isGreaterThan(0).isLessThanOrEqualTo((long) (20 * (Math.ceil(seconds) + 1)));
        assertThat(lines).isLessThan(sent);
    }

    @Test
    void aFloodIsSlowedDownNotBufferedAndLosesNothing() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir)
                .set("queue.max", "20000")
                .set("message.max-pending-per-peer", "100000");
        ingestd.startOk();
        var proc = new Proc(ingestd.pid());
        var loads = new ArrayList<Load>();
        for (int c = 0; c < 4; c++) loads.add(new Load(1 + c * 100_000_000L, 1000, 20, ingestd.endpoint()));
        String metrics = "http://"
                + ingestd.settings.stream()
                        .filter(x -> x.startsWith("metrics.listen="))
                        .findFirst()
                        .orElseThrow()
                        .substring("metrics.listen=".length())
                + "/metrics";
        var http = java.net.http.HttpClient.newHttpClient();
        var queueLine = java.util.regex.Pattern.compile("(?m)^ingestd_queue_records ([0-9.E]+)$");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> loads.getFirst().trues.get() > 100); // warmed up, under load
        List<Long> rss = new ArrayList<>();
        long queueMax = 0;
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < end) {
            rss.add(Long.parseLong(proc.status("VmRSS").replace("kB", "").trim()));
            var body = http.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(metrics))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
            var m = queueLine.matcher(body);
            if (m.find()) queueMax = Math.max(queueMax, (long) Double.parseDouble(m.group(1)));
            java.util.concurrent.locks.LockSupport.parkNanos(200_000_000L); // the sampling period
        }
        long acknowledged = 0;
        for (var l : loads) {
            assertThat(l.finish(Duration.ofMinutes(2))).as(l.summary()).isTrue();
            acknowledged += l.acknowledged.size();
        }
        long offered = loads.stream().mapToLong(l -> l.sent.get()).sum() * 20;
        long stored = EndToEndIT.count(ingestd.dbUrl, "1=1");
        long peak = rss.stream().mapToLong(Long::longValue).max().orElseThrow();
        long firstHalfPeak = rss.subList(0, rss.size() / 2).stream()
                .mapToLong(Long::longValue)
                .max()
                .orElseThrow();
        System.out.printf(
                "flood: offered %d records (4 clients x 1000 x 20 in flight), acknowledged %d, stored %d;"
                        + " queue peak %d (queue.max 20000); RSS samples %d, peak %d MiB, first-half peak %d MiB%n",
                offered, acknowledged, stored, queueMax, rss.size(), peak / 1024, firstHalfPeak / 1024);
        assertThat(queueMax).as("the queue is bounded").isLessThanOrEqualTo(20_000);
        assertThat(peak / 1024).as("RSS bounded").isLessThan(512);
        assertThat(peak - firstHalfPeak)
                .as("RSS flat: the second half adds less than 64 MiB")
                .isLessThan(64 * 1024);
        assertThat(stored).isEqualTo(acknowledged);
        await().atMost(Duration.ofSeconds(60)).until(() -> EndToEndIT.count(ingestd.dbUrl, "status = 'N'") == 0);
    }

    @Test
    void aConnectionFloodFromOneAddressIsRefusedAndOthersAreStillServed() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("listen.max-connections-per-ip", "20");
        ingestd.startOk();
        var proc = new Proc(ingestd.pid());
        int fdsBefore = proc.fds().size();
        var floodFrom = java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
        var daemon = java.net.InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        var flood = new ArrayList<java.net.Socket>();
        try {
            for (int i = 0; i < 200; i++) {
                var s = new java.net.Socket();
                s.bind(new java.net.InetSocketAddress(floodFrom, 0));
                s.connect(new java.net.InetSocketAddress(daemon, ingestd.port), 5000);
                flood.add(s);
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> ingestd.metric("ingestd_connections_refused_total") >= 180);
            // the refused connections are closed by the daemon: its descriptors stay near 20 over its idle count
            await().atMost(Duration.ofSeconds(30)).until(() -> proc.fds().size() < fdsBefore + 60);
            try (var req = new Clients.Req(ingestd.endpoint())) {
                assertThat(req.request("1,2,3")).isEqualTo("TRUE");
            }
            assertThat(ingestd.http("/health")).contains("ok");
            assertThat(java.nio.file.Files.readString(ingestd.log()))
                    .contains("refused")
                    .contains("127.0.0.2");
        } finally {
            for (var s : flood) s.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> ingestd.metric("ingestd_connections_open") <= 1);
    }
}
