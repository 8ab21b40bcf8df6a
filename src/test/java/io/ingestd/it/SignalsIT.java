package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import io.ingestd.client.Sender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** HUP reloads (or refuses and keeps running), USR1 reopens logs, TERM drains every request it took. */
class SignalsIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void reloadAppliesAValidConfigAndRefusesAnInvalidOneWhileRunningOn() throws Exception {
        Path conf = dir.resolve("ingestd.properties");
        Files.writeString(conf, "log.level=info\nbatch.max=1000\n");
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        assertThat(ingestd.cli("start", "--config", conf.toString()).exitCode()).isZero();
        Files.writeString(conf, "log.level=debug\nbatch.max=200\n");
        var ok = ingestd.cli("reload", "--config", conf.toString());
        assertThat(ok.exitCode()).as(ok.toString()).isZero();
        assertThat(ok.out()).startsWith("reload applied");
        assertThat(ok.out()).doesNotContain("restart needed");

        Files.writeString(conf, "log.level=debug\nbatch.max=200\nsecurity.allow-ips=127.0.0.1\n");
        var fixed = ingestd.cli("reload", "--config", conf.toString());
        assertThat(fixed.out()).as(fixed.toString()).contains("restart needed for: security.allow-ips");

        Files.writeString(conf, "log.level=debug\nbogus.key=1\n");
        // the CLI checks the file first and does not signal the daemon with it
        var early = ingestd.cli("reload", "--config", conf.toString());
        assertThat(early.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        assertThat(early.err()).contains("unknown key 'bogus.key'");
        // a HUP from elsewhere (systemctl reload, kill): the daemon refuses the file and keeps running
        new ProcessBuilder("kill", "-HUP", String.valueOf(ingestd.pid()))
                .start()
                .waitFor();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ingestd.cli("status", "--json").out().contains("refused"));
        assertThat(ingestd.cli("status", "--json").out())
                .contains("unknown key 'bogus.key'", "the running configuration is unchanged");
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("5,6,7")).isEqualTo("TRUE");
        }
        assertThat(Files.readString(ingestd.log())).contains("reload applied", "reload refused");
    }

    @Test
    void reloadWorksEvenWhenStartedWithSighupIgnored() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        var cmd = new StringBuilder("trap '' HUP; exec " + Ingestd.LAUNCHER + " start");
        for (String s : ingestd.settings) cmd.append(" --set '").append(s).append("'");
        var p = new ProcessBuilder("bash", "-c", cmd.toString())
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        var r = ingestd.cli("reload");
        assertThat(r.out()).as(r.toString()).startsWith("reload applied");
        long ignored = Long.parseUnsignedLong(new Proc(ingestd.pid()).status("SigIgn"), 16);
        long caught = Long.parseUnsignedLong(new Proc(ingestd.pid()).status("SigCgt"), 16);
        assertThat(ignored & 1).as("SIGHUP not ignored").isZero();
        assertThat(caught & 1).as("SIGHUP caught").isEqualTo(1);
    }

    @Test
    void aHupBeforeTheDaemonIsReadyIsRecordedAndAppliedOnceReady() throws Exception {
        try (var proxy = new TcpProxy(3306)) {
            String db = TestDatabases.MARIADB.create(dir).replace("127.0.0.1:3306", "127.0.0.1:" + proxy.port());
            ingestd = new Ingestd(dir, db);
            proxy.cut(); // start-up waits for the database (up to 3 s), after the signal handlers are in place
            var start = java.util.concurrent.CompletableFuture.supplyAsync(() -> ingestd.cli("start"));
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(10))
                    .ignoreExceptions()
                    .until(() -> ingestd.pid() > 0);
            new ProcessBuilder("kill", "-HUP", String.valueOf(ingestd.pid()))
                    .start()
                    .waitFor();
            // the log file is opened after the privilege drop, a moment after the PID file: wait for it too
            await().atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(10))
                    .ignoreExceptions()
                    .until(() -> Files.readString(ingestd.log()).contains("reload requested during start-up"));
            proxy.restore();
            var started = start.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(started.exitCode()).as(started.toString()).isZero();
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> Files.readString(ingestd.log()).contains("reload applied"));
            assertThat(Files.readString(ingestd.log())).doesNotContain("reload refused", "NullPointerException");
            assertThat(ingestd.cli("status", "--json").out()).contains("\"reloads\":1", "applied");
            assertThat(ingestd.stop().exitCode()).isZero();
        }
    }

    @Test
    void usr1ReopensTheLogAfterItWasMoved() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        ingestd.startOk();
        Path rotated = ingestd.log().resolveSibling("ingestd.log.1");
        Files.move(ingestd.log(), rotated);
        new ProcessBuilder("kill", "-USR1", String.valueOf(ingestd.pid()))
                .start()
                .waitFor();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> Files.exists(ingestd.log())
                        && Files.readString(ingestd.log()).contains("log files reopened"));
        assertThat(Files.readString(rotated)).doesNotContain("log files reopened");
    }

    @Test
    void termDrainsEveryRequestInFlightAndEveryTrueIsCommitted() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir).set("message.max-pending-per-peer", "5000");
        ingestd.startOk();
        var acknowledged = new ArrayList<Long>();
        int answered = 0, retried = 0, sent = 0;
        try (var sender = new Sender(ingestd.endpoint(), 2000, Sender.Security.NONE)) {
            // one answered request first: the connection is up, so the TERM below cannot overtake the burst (a
            // request that reaches a daemon which has already finished draining is never taken, and not answered)
            sender.send("0,1,0".getBytes(StandardCharsets.UTF_8), -1L);
            assertThat(sender.receive(Duration.ofSeconds(30), a -> assertThat(a.rejected())
                            .isTrue()))
                    .isOne();
            for (int m = 0; m < 2000; m++, sent++) {
                var body = new StringBuilder();
                for (int i = 0; i < 10; i++) body.append(m * 10 + i + 1).append(",7,1.5\n");
                sender.send(body.toString().getBytes(StandardCharsets.UTF_8), (long) m);
            }
            var stop = Thread.ofVirtual().start(() -> ingestd.stop());
            while (sender.inFlight() > 0) {
                List<Sender.Answer> got = new ArrayList<>();
                if (sender.receive(Duration.ofSeconds(30), got::add) == 0) break;
                for (var a : got) {
                    answered++;
                    if (a.acknowledged()) {
                        long m = (Long) a.request().attachment();
                        for (int i = 0; i < 10; i++) acknowledged.add(m * 10 + i + 1);
                    } else {
                        assertThat(a.reply()).startsWith("RETRY");
                        retried++;
                    }
                }
            }
            stop.join();
        }
        System.out.printf(
                "drain: sent %d messages, answered %d (%d RETRY), %d records acknowledged%n",
                sent, answered, retried, acknowledged.size());
        assertThat(answered).as("every request taken got a reply").isEqualTo(sent);
        assertThat(EndToEndIT.count(ingestd.dbUrl, "1=1")).isGreaterThanOrEqualTo(acknowledged.size());
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsAll(acknowledged);
    }
}
