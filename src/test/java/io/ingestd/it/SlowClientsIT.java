package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** One slow, silent or stopped party never blocks the others: the control socket and the HTTP endpoint. */
class SlowClientsIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() throws Exception {
        if (ingestd != null && Files.exists(ingestd.pidFile())) {
            signal("CONT", ingestd.pid());
            ingestd.cleanUp();
        }
    }

    @Test
    void aSilentControlClientDoesNotBlockStatusAndAStoppedDaemonIsReportedUnknown() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        ingestd.startOk();
        Path sock = ingestd.dir.resolve("data/ingestd.sock");
        try (var silent = SocketChannel.open(UnixDomainSocketAddress.of(sock))) {
            var status = timed(ingestd::status);
            assertThat(status.result().exitCode()).as(status.toString()).isZero();
            assertThat(status.result().out()).contains("running");
            // blocked by the silent client, status would answer 4 (not responding) after its deadline, not 0
            assertThat(status.seconds()).isLessThan(30);
            var reload = ingestd.cli("reload");
            assertThat(reload.exitCode()).as(reload.toString()).isZero();
            assertThat(silent.isOpen()).isTrue();
        }

        int pid = ingestd.pid();
        signal("STOP", pid);
        try {
            var status = timed(ingestd::status);
            assertThat(status.result().exitCode()).as(status.toString()).isEqualTo(4);
            assertThat(status.result().out()).contains("unknown state, not responding", "pid " + pid);
            assertThat(status.seconds())
                    .as("the 5 s deadline plus the CLI's own start")
                    .isLessThan(20);
            System.out.printf("status of a stopped daemon: exit 4 after %.1f s%n", status.seconds());
        } finally {
            signal("CONT", pid);
        }
        assertThat(ingestd.status().exitCode()).isZero();
        assertThat(ingestd.stop().exitCode()).isZero();
    }

    @Test
    void halfARequestHeaderDoesNotBlockHealthAndANonLoopbackMetricsAddressIsWarnedAbout() throws Exception {
        int port = Ingestd.freePort();
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("metrics.listen", "0.0.0.0:" + port);
        ingestd.startOk();
        assertThat(Files.readString(ingestd.log()))
                .contains("metrics.listen=0.0.0.0:" + port + " is not a loopback address");

        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        var health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                .timeout(Duration.ofSeconds(2))
                .build();
        try (var slow = new Socket(java.net.InetAddress.getLoopbackAddress(), port)) {
            slow.getOutputStream()
                    .write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half".getBytes(StandardCharsets.US_ASCII));
            slow.getOutputStream().flush();
            for (int i = 0; i < 3; i++) {
                var r = timed(() -> http.send(health, HttpResponse.BodyHandlers.ofString()));
                assertThat(r.result().statusCode()).isEqualTo(200);
                assertThat(r.seconds()).isLessThan(2);
            }
            // the server drops the stalled request after its deadline (5 s)
            slow.setSoTimeout(15_000);
            var closed = timed(() -> drain(slow.getInputStream()));
            System.out.printf("half-header connection closed by the server after %.1f s%n", closed.seconds());
            assertThat(closed.seconds()).isLessThan(12);
        }
    }

    private static int drain(InputStream in) throws Exception {
        try {
            while (in.read() >= 0) {
                /* a 408 or nothing, then end of stream */
            }
        } catch (java.net.SocketException e) {
            // reset by the server: closed as well
        }
        return 0;
    }

    private interface Call<T> {
        T call() throws Exception;
    }

    private record Timed<T>(T result, double seconds) {}

    private static <T> Timed<T> timed(Call<T> c) throws Exception {
        long t0 = System.nanoTime();
        T r = c.call();
        return new Timed<>(r, (System.nanoTime() - t0) / 1e9);
    }

    private static void signal(String name, int pid) throws Exception {
        new ProcessBuilder("kill", "-" + name, String.valueOf(pid)).start().waitFor();
    }
}
