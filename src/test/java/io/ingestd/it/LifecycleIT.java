package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
