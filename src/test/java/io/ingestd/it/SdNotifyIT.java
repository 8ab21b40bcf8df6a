package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.posix.UnixDatagram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** `ingestd run` under a fake systemd: the test is the notify socket and reads what the daemon says. */
class SdNotifyIT {
    @TempDir
    Path dir;

    Process daemon;
    int socket = -1;
    final List<String> messages = new CopyOnWriteArrayList<>();
    final List<Long> pings = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() {
        if (daemon != null) daemon.destroyForcibly();
        if (socket >= 0) UnixDatagram.close(socket);
    }

    Process run(Ingestd ingestd, String notify, long watchdogMicros) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of(Ingestd.LAUNCHER.toString(), "run"));
        for (String s : ingestd.settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        var pb = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.out").toFile());
        pb.environment().put("NOTIFY_SOCKET", notify);
        pb.environment().put("WATCHDOG_USEC", String.valueOf(watchdogMicros));
        socket = UnixDatagram.bind(notify);
        UnixDatagram.setReceiveTimeout(socket, 200);
        Thread.ofPlatform().daemon().start(() -> {
            while (true) {
                String m;
                try {
                    m = UnixDatagram.receive(socket);
                } catch (RuntimeException e) {
                    return;
                }
                if (m == null) continue;
                messages.add(m);
                if (m.equals("WATCHDOG=1")) pings.add(System.nanoTime());
            }
        });
        return pb.start();
    }

    @Test
    void reportsReadyStatusReloadingStoppingAndWatchdog() throws Exception {
        var ingestd = Ingestd.on(TestDatabases.H2, dir);
        daemon = run(ingestd, "@ingestd-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime(), 1_000_000);
        await().atMost(Duration.ofSeconds(60)).until(() -> messages.stream().anyMatch(m -> m.startsWith("READY=1")));
        await().atMost(Duration.ofSeconds(10)).until(() -> pings.size() >= 2);
        await().atMost(Duration.ofSeconds(10)).until(() -> messages.stream().anyMatch(m -> m.startsWith("STATUS=")));
        int before = messages.size();
        new ProcessBuilder("kill", "-HUP", String.valueOf(daemon.pid())).start().waitFor();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> messages.subList(before, messages.size()).stream().anyMatch(m -> m.equals("READY=1")));
        var afterHup = messages.subList(before, messages.size());
        var reloading =
                afterHup.stream().filter(m -> m.startsWith("RELOADING=1")).findFirst();
        assertThat(reloading).isPresent();
        assertThat(reloading.get()).matches("RELOADING=1\nMONOTONIC_USEC=\\d+");
        new ProcessBuilder("kill", "-TERM", String.valueOf(daemon.pid()))
                .start()
                .waitFor();
        await().atMost(Duration.ofSeconds(30)).until(() -> messages.contains("STOPPING=1"));
        assertThat(daemon.waitFor()).isZero();
    }

    @Test
    void watchdogPingsStopWhileTheWriterIsStuckInTheDatabase() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir).replace("127.0.0.1:3306", "127.0.0.1:" + proxy.port());
            var ingestd = new Ingestd(dir, db).set("db.network-timeout", "60s").set("db.writers", "1");
            socket = -1;
            daemon = run(ingestd, dir.resolve("notify.sock").toString(), 1_000_000);
            await().atMost(Duration.ofSeconds(60)).until(() -> pings.size() >= 2);
            // a steady stream keeps the writer's connection busy, so the hang hits it inside a statement
            var sending = new java.util.concurrent.atomic.AtomicBoolean(true);
            var acks = new java.util.concurrent.atomic.AtomicLong();
            var client = Thread.ofPlatform().daemon().start(() -> {
                try (var sender =
                        new io.ingestd.client.Sender(ingestd.endpoint(), 4, io.ingestd.client.Sender.Security.NONE)) {
                    long t = 1;
                    while (sending.get()) {
                        while (sender.hasRoom())
                            sender.send((t + "," + t++ + ",1").getBytes(StandardCharsets.UTF_8), null);
                        sender.receive(Duration.ofMillis(100), a -> acks.incrementAndGet());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> acks.get() > 50);
            proxy.blackhole();
            await().atMost(Duration.ofSeconds(20)).until(() -> System.nanoTime() - pings.getLast() > 3_000_000_000L);
            proxy.restore();
            sending.set(false);
            client.join(5000);
        }
    }
}
