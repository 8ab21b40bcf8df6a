package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** The SysV steps of daemon(7), checked in /proc on the real detached process. */
class Daemon7IT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void theStartedDaemonIsDetachedAsDaemon7Describes() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        Path leak = dir.resolve("inherited.txt");
        // started with an extra open descriptor and a marker in the environment, as a careless parent would
        var cmd = new StringBuilder("exec 7>" + leak + "; exec " + Ingestd.LAUNCHER + " start");
        for (String s : ingestd.settings) cmd.append(" --set '").append(s).append("'");
        var pb = new ProcessBuilder("bash", "-c", cmd.toString()).redirectErrorStream(true);
        pb.environment().put("INGESTD_TEST_MARKER", "leaky");
        var p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();

        int pid = ingestd.pid();
        var proc = new Proc(pid);
        assertThat(proc.session()).as("own session (setsid)").isEqualTo(pid);
        assertThat(proc.ttyNr()).as("no controlling terminal").isZero();
        assertThat(proc.cwd()).as("cwd").isEqualTo("/");
        assertThat(proc.status("Umask")).isEqualTo("0027");
        for (int fd = 0; fd <= 2; fd++) assertThat(proc.fd(fd)).as("fd " + fd).contains("/dev/null");
        assertThat(proc.fds()).as("no inherited descriptors").doesNotContain(leak.toString());
        assertThat(proc.environ())
                .as("clean environment")
                .doesNotContain("INGESTD_TEST_MARKER")
                .contains("PATH=");
        assertThat(Proc.lockHolder(ingestd.pidFile()))
                .as("PID file locked by the daemon")
                .contains(pid);
        // 0644 whatever the umask, as PID files are: the daemon's user reads it (status), no secret is in it
        assertThat(Files.getPosixFilePermissions(ingestd.pidFile()))
                .isEqualTo(PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(Files.readAllLines(ingestd.pidFile())).first().isEqualTo(String.valueOf(pid));
    }

    @Test
    void aConfiguredUmaskIsApplied() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("umask", "077");
        ingestd.startOk();
        assertThat(new Proc(ingestd.pid()).status("Umask")).isEqualTo("0077");
        assertThat(Files.getPosixFilePermissions(ingestd.log()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void statusAndStopNeverTakeAnotherProcessForTheDaemon() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        Files.createDirectories(ingestd.pidFile().getParent());
        var sleeper = new ProcessBuilder("sleep", "60").start();
        try {
            // a PID file naming a live process that is not ingestd (a reused pid): nobody holds its lock
            Files.writeString(ingestd.pidFile(), sleeper.pid() + "\n12345\n");
            var status = ingestd.status();
            assertThat(status.exitCode()).isEqualTo(ExitCode.STATUS_DEAD.code());
            assertThat(status.out()).contains("dead");
            var stop = ingestd.stop();
            assertThat(stop.exitCode()).isZero();
            assertThat(stop.out()).contains("not running");
            assertThat(sleeper.isAlive())
                    .as("the foreign process was not signalled")
                    .isTrue();
        } finally {
            sleeper.destroyForcibly();
        }
    }

    @Test
    void eachStartFailureReportsItsPhaseAndExitCode() throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("pid.file", file.resolve("ingestd.pid").toString());
        var lock = ingestd.start();
        assertThat(lock.exitCode()).isEqualTo(ExitCode.LOCK_FAILED.code());
        assertThat(lock.err()).contains("ingestd failed to start (lock)", "pid.file");

        var bad = Ingestd.on(TestDatabases.H2, dir.resolve("b")).set("user", "nosuchuser");
        var priv = bad.start();
        assertThat(priv.exitCode()).isEqualTo(ExitCode.NOT_PERMITTED.code());
        assertThat(priv.err())
                .contains("ingestd failed to start (privileges)", "user \"nosuchuser\" does not exist (key: user)");
        assertThat(bad.status().exitCode()).isIn(ExitCode.STATUS_DEAD.code(), ExitCode.STATUS_NOT_RUNNING.code());
    }
}
