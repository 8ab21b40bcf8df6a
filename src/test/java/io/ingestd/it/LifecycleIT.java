package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** start, status, stop as an operator uses them: readiness, single instance, stale PID files, clear failures. */
class LifecycleIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void aStopThatHadToKillExitsOneSoInitScriptsSeeIt() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir.resolve("k"));
        ingestd.startOk();
        int pid = ingestd.pid();
        assertThat(new ProcessBuilder("kill", "-STOP", Integer.toString(pid))
                        .start()
                        .waitFor())
                .isZero();
        var stop = ingestd.cli("stop", "--timeout", "1");
        assertThat(stop.exitCode()).as(stop.toString()).isEqualTo(1);
        assertThat(stop.out()).contains("did not stop within 1 s; killed it (SIGKILL, pid " + pid);
        // gone, or a zombie nobody reaps here (PID 1 of this sandbox does not)
        assertThat(!Files.exists(Path.of("/proc/" + pid))
                        || new Proc(pid).status("State").startsWith("Z"))
                .isTrue();
    }

    @Test
    void restartComesBackWithTheOverridesTheDaemonRunsWithUnlessTheCommandLineGivesNewOnes() throws Exception {
        int filePort = Ingestd.freePort(), setPort = Ingestd.freePort();
        Path conf = Files.writeString(
                dir.resolve("c.properties"),
                String.join(
                        "\n",
                        "listen = tcp://127.0.0.1:" + filePort,
                        "data.dir = " + dir.resolve("data"),
                        "log.dir = " + dir.resolve("log"),
                        "metrics.listen = off",
                        "user = root",
                        ""));
        String otherDb = "jdbc:h2:file:" + dir.resolve("other") + ";AUTO_SERVER=TRUE";
        List<String> base = List.of("-c", conf.toString());
        var start = Ingestd.run(
                java.util.Map.of(),
                "start",
                "-c",
                conf.toString(),
                "--set",
                "listen=tcp://127.0.0.1:" + setPort,
                "--set",
                "db.url=" + otherDb);
        assertThat(start.exitCode()).as(start.toString()).isZero();
        try {
            var restart = Ingestd.run(java.util.Map.of(), "restart", base.get(0), base.get(1));
            assertThat(restart.exitCode()).as(restart.toString()).isZero();
            assertThat(restart.out()).contains("running daemon's overrides of listen, db.url");
            var status = Ingestd.run(java.util.Map.of(), "status", base.get(0), base.get(1));
            assertThat(status.out())
                    .contains("tcp://127.0.0.1:" + setPort, dir.resolve("other").toString());
            try (var req = new Clients.Req("tcp://127.0.0.1:" + setPort)) {
                assertThat(req.request("5150,1,1")).isEqualTo("TRUE");
            }
            assertThat(EndToEndIT.tickets(otherDb, "ticket = 5150")).containsExactly(5150L);
            // --set on the restart's command line replaces them
            var replaced =
                    Ingestd.run(java.util.Map.of(), "restart", "-c", conf.toString(), "--set", "metrics.listen=off");
            assertThat(replaced.exitCode()).as(replaced.toString()).isZero();
            assertThat(Ingestd.run(java.util.Map.of(), "status", "-c", conf.toString())
                            .out())
                    .contains("tcp://127.0.0.1:" + filePort)
                    .doesNotContain(dir.resolve("other").toString());
        } finally {
            Ingestd.run(java.util.Map.of(), "stop", "-c", conf.toString());
        }
    }

    @Test
    void startIsReadyOnReturnAndASecondStartReportsAlreadyRunning() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        var first = ingestd.startOk();
        int pid = ingestd.pid();
        assertThat(first.out()).contains("ingestd started (pid " + pid + ")");
        // ready means ready: the very first request after start returns is answered
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,2,3")).isEqualTo("TRUE");
        }
        var second = ingestd.start();
        assertThat(second.exitCode()).isZero();
        assertThat(second.out()).isEqualTo("ingestd already running (pid " + pid + ")\n");
        var status = ingestd.status();
        assertThat(status.exitCode()).isZero();
        assertThat(status.out()).contains("ingestd is running (pid " + pid + ")");
        assertThat(ingestd.stop().exitCode()).isZero();
        assertThat(Files.exists(ingestd.pidFile())).isFalse();
        assertThat(ingestd.status().exitCode()).isEqualTo(ExitCode.STATUS_NOT_RUNNING.code());
        assertThat(ingestd.stop().out()).contains("ingestd is not running");
    }

    @Test
    void aPidFileLeftByKillMinus9NeverBlocksTheNextStart() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir);
        ingestd.startOk();
        int pid = ingestd.pid();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ProcessHandle.of(pid).ifPresent(p -> p.onExit().join());
        assertThat(ingestd.pidFile()).exists();
        var status = ingestd.status();
        assertThat(status.exitCode()).isEqualTo(ExitCode.STATUS_DEAD.code());
        assertThat(status.out()).contains("dead", "pid " + pid);
        var again = ingestd.start();
        assertThat(again.exitCode()).as("start after kill -9: %s", again).isZero();
        assertThat(ingestd.pid()).isNotEqualTo(pid);
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("7,8,9")).isEqualTo("TRUE");
        }
    }

    @Test
    @SuppressWarnings("try") // the resource is held, not used: it occupies a port or a lock
    void startFailsWithTheEndpointNamedWhenTheAddressIsInUse() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        try (var taken = new ServerSocket(ingestd.port, 1, InetAddress.getLoopbackAddress())) {
            var r = ingestd.start();
            assertThat(r.exitCode()).isEqualTo(ExitCode.BIND_FAILED.code());
            assertThat(r.err())
                    .contains("ingestd failed to start (bind): cannot bind " + ingestd.endpoint() + ": address in use");
        }
        assertThat(ingestd.status().exitCode()).isIn(ExitCode.STATUS_DEAD.code(), ExitCode.STATUS_NOT_RUNNING.code());
    }

    @Test
    void startFailsClearlyWhenTheDatabaseIsUnreachable() throws Exception {
        int closed = Ingestd.freePort();
        ingestd = new Ingestd(dir, "jdbc:mariadb://127.0.0.1:" + closed + "/test?user=root");
        var r = ingestd.start();
        assertThat(r.exitCode()).isEqualTo(ExitCode.DATABASE_FAILED.code());
        assertThat(r.err()).contains("ingestd failed to start (database)", "127.0.0.1:" + closed, "unreachable");
    }

    @Test
    void startRefusesAnUnknownKeyAndNamesIt() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        ingestd.set("batch.maxx", "10");
        var r = ingestd.start();
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        assertThat(r.err()).contains("unknown key 'batch.maxx'", "did you mean 'batch.max'");
        ingestd.settings.removeIf(s -> s.startsWith("batch.maxx"));
        ingestd.set("batch.max", "lots");
        assertThat(ingestd.start().err()).contains("batch.max: 'lots' is not a positive integer");
    }

    /**
     * start launches the daemon's process before its checks (so its JVM starts meanwhile); a start that a check
     * stops must not leave it behind, and a start that finds a running daemon leaves that one alone.
     */
    @Test
    void aStartThatStopsAtACheckLeavesNoDaemonProcessBehind() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        Path conf = dir.resolve("ingestd.properties");
        Files.writeString(conf, "# the test's settings come with --set\n");
        ingestd.cli("start", "--config", conf.toString());
        int pid = ingestd.pid();
        assertThat(ingestd.cli("start", "--config", conf.toString()).out()).contains("already running");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> liveProcessesStartedFor(conf).equals(List.of(pid)));
        assertThat(ingestd.stop().exitCode()).isZero();

        Path bad = dir.resolve("bad.properties");
        Files.writeString(bad, "batch.maxx = 10\n");
        var r = ingestd.cli("start", "--config", bad.toString());
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> liveProcessesStartedFor(bad).isEmpty());
    }

    /** The live processes (zombies left out: PID 1 may not reap them) that start launched for a config file. */
    private static List<Integer> liveProcessesStartedFor(Path conf) throws java.io.IOException {
        String mark = "INGESTD_CONFIG_FILE=" + conf.toAbsolutePath().normalize();
        var found = new ArrayList<Integer>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                if (!p.getFileName().toString().matches("\\d+")) continue;
                try {
                    int pid = Integer.parseInt(p.getFileName().toString());
                    var proc = new Proc(pid);
                    if (proc.stat()[0].equals("Z")) continue;
                    if (proc.environ().lines().anyMatch(mark::equals)) found.add(pid);
                } catch (java.io.IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        }
        return found;
    }
}
