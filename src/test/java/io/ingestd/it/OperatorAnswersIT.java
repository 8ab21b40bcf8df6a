package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * What an operator is told by start, stop, status, restart, reload and bench when something is off: file modes,
 * a PID file they cannot read, a typo, relative paths, moved paths, pending restarts, a bench without a range.
 */
class OperatorAnswersIT {
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    Path dir;

    Ingestd ingestd;
    Path config;

    @AfterEach
    void stop() throws Exception {
        if (ingestd != null) ingestd.cleanUp();
        for (var p : io.ingestd.daemon.RunningDaemons.startedFrom(java.util.Optional.ofNullable(config))) {
            io.ingestd.posix.Posix.kill(p.pid(), io.ingestd.posix.Posix.SIGTERM);
        }
    }

    /** The instance's settings as a configuration file (the CLI then gets only --config). */
    Ingestd fromFile(String... extra) throws Exception {
        config = dir.resolve("etc/ingestd.properties");
        Files.createDirectories(config.getParent());
        var lines = new java.util.ArrayList<>(ingestd.settings);
        lines.addAll(List.of(extra));
        Files.write(config, lines);
        ingestd.settings.clear();
        return ingestd;
    }

    void edit(String key, String value) throws Exception {
        var lines = new java.util.ArrayList<>(Files.readAllLines(config));
        lines.removeIf(l -> l.startsWith(key + "="));
        lines.add(key + "=" + value);
        Files.write(config, lines);
    }

    @Test
    void whatCheckConfigPassesStartAcceptsAndWhatStartRefusesCheckConfigRefuses() throws Exception {
        try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            List<String[]> cases = List.of(
                    new String[] {"user", "nosuchuser"},
                    new String[] {"group", "nosuchgroup"},
                    new String[] {
                        "curve.server.key",
                        dir.resolve("missing.key_secret").toString(),
                        "curve.allow-any-client",
                        "true"
                    },
                    new String[] {"log.dir", "/proc/ingestd-log"},
                    new String[] {"pid.file", "/proc/ingestd-run/ingestd.pid"},
                    new String[] {"metrics.listen", "SAME AS LISTEN"},
                    new String[] {"metrics.listen", "127.0.0.1:" + taken.getLocalPort()},
                    new String[] {"db.table", "fee"});
            int n = 0;
            for (String[] c : cases) {
                var probe = Ingestd.on(TestDatabases.H2, dir.resolve("case" + n++));
                String what = c[0] + "=" + c[1];
                if (c[0].equals("db.table")) {
                    try (var conn = java.sql.DriverManager.getConnection(probe.dbUrl)) {
                        conn.createStatement().execute("CREATE TABLE fee (ticket INT)"); // not ingestd's
                    }
                }
                probe.set(c[0], c[1].equals("SAME AS LISTEN") ? "127.0.0.1:" + probe.port : c[1]);
                if (c.length > 2) probe.set(c[2], c[3]);
                var check = probe.cli("check-config");
                assertThat(check.exitCode()).as(what + ": " + check).isEqualTo(6);
                assertThat(check.err()).as(what).contains(c[0] + ":");
                var start = probe.start();
                assertThat(start.exitCode()).as(what + ": " + start).isNotZero();
                probe.cleanUp();
            }
        }
    }

    @Test
    void checkConfigSaysAFileAsDataDirInOneLineWithoutH2sTrace() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("db.url", "").set("data.dir", file.toString());
        var check = ingestd.cli("check-config");
        assertThat(check.exitCode()).as(check.toString()).isEqualTo(6);
        assertThat(check.err())
                .contains("data.dir: " + file + " cannot be used")
                .doesNotContain("at org.h2", "Exception");
        assertThat(check.err().lines().count()).isLessThanOrEqualTo(4);
        assertThat(ingestd.start().err()).contains("data.dir");
    }

    @Test
    void anUnusableSpoolIsToldByStartStatusHealthAndCheckConfig() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("spool.dir", "/proc/ingestd-spool");
        var check = ingestd.cli("check-config");
        assertThat(check.exitCode()).as(check.toString()).isEqualTo(6);
        assertThat(check.err()).contains("spool.dir: /proc/ingestd-spool cannot be used");
        var start = ingestd.startOk();
        assertThat(start.out()).contains("WARNING: spool unusable", "/proc/ingestd-spool", "RETRY");
        assertThat(ingestd.status().out()).contains("spool        unusable: spool directory /proc/ingestd-spool");
        var health = ingestd.http("/health");
        assertThat(health).contains("\"status\":\"degraded\"", "spool unusable");
        assertThat(Files.readString(ingestd.log())).doesNotContain("Exception");
    }

    @Test
    void checkConfigBeforeTheFirstStartCreatesNothingOthersCanRead() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody must reach it
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("db.url", "")
                .set("user", "nobody")
                .set("group", "nogroup");
        var check = ingestd.cli("check-config");
        assertThat(check.exitCode()).as(check.toString()).isZero();
        Path data = dir.resolve("data");
        assertThat(Files.getPosixFilePermissions(data))
                .doesNotContain(PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,2,3")).isEqualTo("TRUE");
        }
        for (Path p : List.of(data, data.resolve("ingestd.mv.db"), dir.resolve("log"), ingestd.log())) {
            assertThat(Files.getAttribute(p, "unix:uid")).as(p.toString()).isEqualTo(65534);
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
            assertThat(perms)
                    .as(p + " " + PosixFilePermissions.toString(perms))
                    .doesNotContain(
                            PosixFilePermission.OTHERS_READ,
                            PosixFilePermission.OTHERS_WRITE,
                            PosixFilePermission.OTHERS_EXECUTE,
                            PosixFilePermission.GROUP_WRITE);
        }
    }

    @Test
    void aUserWhoCannotReadThePidFileIsToldUnknownNotNotRunning() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir); // the temporary directory is 0700: nobody cannot look inside
        ingestd.startOk();
        var status = ingestd.cliIn(null, AS_NOBODY, "status");
        assertThat(status.exitCode()).as(status.toString()).isEqualTo(4);
        assertThat(status.err())
                .contains(
                        "status unknown", "permission denied", ingestd.pidFile().toString());
        var stop = ingestd.cliIn(null, AS_NOBODY, "stop");
        assertThat(stop.exitCode()).as(stop.toString()).isEqualTo(4);
        assertThat(stop.err()).contains("permission denied");
        assertThat(ingestd.status().exitCode()).isZero(); // still running
    }

    @Test
    void aTypoInTheFileIsAWarningForStopAndStatus() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        fromFile().cli("start", "--config", config.toString());
        Files.writeString(config, Files.readString(config) + "batch_max=10\n");
        var status = ingestd.cli("status", "--config", config.toString());
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.err()).contains("warning: unknown key 'batch_max' (did you mean 'batch.max'?)");
        var stop = ingestd.cli("stop", "--config", config.toString());
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        assertThat(stop.out()).contains("ingestd stopped");
        var start = ingestd.cli("start", "--config", config.toString());
        assertThat(start.exitCode()).isEqualTo(6); // a start still needs the whole file right
    }

    @Test
    void relativePathsFollowTheInstallationNotTheWorkingDirectory() throws Exception {
        String rel = "target/it-relative-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        Path abs = Ingestd.HOME.resolve(rel);
        ingestd =
                Ingestd.on(TestDatabases.H2, dir).set("data.dir", rel + "/data").set("log.dir", rel + "/log");
        try {
            var start = ingestd.cliIn(dir, List.of(), "start");
            assertThat(start.exitCode()).as(start.toString()).isZero();
            assertThat(abs.resolve("data/ingestd.pid")).exists();
            var status = ingestd.cliIn(Path.of("/"), List.of(), "status");
            assertThat(status.exitCode()).as(status.toString()).isZero();
            assertThat(status.out()).contains("data " + abs.resolve("data"), "pid " + abs.resolve("data/ingestd.pid"));
            assertThat(ingestd.cliIn(Path.of("/tmp"), List.of(), "stop").exitCode())
                    .isZero();
        } finally {
            ingestd.cliIn(Path.of("/"), List.of(), "stop");
            try (var files = Files.walk(abs)) {
                files.sorted(java.util.Comparator.reverseOrder())
                        .forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void restartAfterMovingDataDirStopsTheDaemonThatRuns() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        fromFile();
        assertThat(ingestd.cli("start", "--config", config.toString()).exitCode())
                .isZero();
        int first = ingestd.pid();
        edit("data.dir", dir.resolve("data2").toString());
        var restart = ingestd.cli("restart", "--config", config.toString());
        assertThat(restart.exitCode()).as(restart.toString()).isZero();
        assertThat(restart.out())
                .contains("ingestd stopped (pid " + first + ",", "another PID file", "ingestd started");
        assertThat(io.ingestd.daemon.ProcessIdentity.of(first).filter(io.ingestd.daemon.ProcessIdentity::isAlive))
                .isEmpty();
        assertThat(io.ingestd.daemon.RunningDaemons.startedFrom(java.util.Optional.of(config)))
                .hasSize(1);
        assertThat(dir.resolve("data2/ingestd.pid")).exists();
        assertThat(ingestd.cli("stop", "--config", config.toString()).exitCode())
                .isZero();
    }

    @Test
    void statusShowsWhatIsInEffectAndARestartStaysNeededUntilDone() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        String metrics = ingestd.settings.stream()
                .filter(s -> s.startsWith("metrics.listen="))
                .findFirst()
                .orElseThrow()
                .substring("metrics.listen=".length());
        fromFile();
        String c = config.toString();
        assertThat(ingestd.cli("start", "--config", c).exitCode()).isZero();
        String moved = "127.0.0.1:" + Ingestd.freePort();
        edit("metrics.listen", moved);
        edit("batch.max", "100");
        var reload = ingestd.cli("reload", "--config", c);
        assertThat(reload.out()).as(reload.toString()).startsWith("reload applied; restart needed for: metrics.listen");
        edit("batch.max", "200"); // a later reload must not forget the pending restart
        assertThat(ingestd.cli("reload", "--config", c).out())
                .startsWith("reload applied; restart needed for: metrics.listen");
        var status = ingestd.cli("status", "--config", c);
        assertThat(status.out())
                .contains("metrics http://" + metrics + "/metrics", "restart needed for: metrics.listen")
                .doesNotContain(moved);
        // reload --set is applied (and a bad value refused), not ignored
        var bad = ingestd.cli("reload", "--config", c, "--set", "batch.max=0");
        assertThat(bad.exitCode()).isEqualTo(6); // checked before the daemon is asked
        assertThat(bad.err()).contains("batch.max: '0' is not a positive integer");
        var good = ingestd.cli("reload", "--config", c, "--set", "message.max-records=2");
        assertThat(good.exitCode()).as(good.toString()).isZero();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,1,1\n2,1,1\n3,1,1")).isEqualTo("FALSE too many records: 3 (max 2)");
        }
        assertThat(ingestd.cli("stop", "--config", c).exitCode()).isZero();
    }

    @Test
    void anIpv6LoopbackAddressServesTheDaemonAndSend() throws Exception {
        String v6 = "tcp://[::1]:" + Ingestd.freePort();
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("listen", v6);
        ingestd.startOk();
        Path input = Files.writeString(dir.resolve("in.csv"), "1,1,1\n2,1,1\n");
        var send = ingestd.cli("send", input.toString(), "--quiet");
        assertThat(send.exitCode()).as(send.toString()).isZero();
        assertThat(send.out()).contains("acknowledged:     2");
    }

    @Test
    void benchNeedsAnExplicitTicketRangeAndSendsOnlyValidRecords() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        ingestd.startOk();
        var refused = ingestd.cli("bench", "-n", "10");
        assertThat(refused.exitCode()).isEqualTo(2);
        assertThat(refused.err()).contains("--ticket-base");
        var bench = ingestd.cli("bench", "-n", "20", "-C", "2", "--ticket-base", "900000000000");
        assertThat(bench.exitCode()).as(bench.toString()).isZero();
        assertThat(ingestd.cli("status", "--json").out())
                .contains("\"messages_rejected\":0", "\"records_acknowledged\":22");
    }
}
