package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Started as root, ingestd follows, hands over and overwrites nothing that the daemon's user could plant or that
 * ingestd did not create, never stays root by accident, and gives the daemon's user no way into its memory or its
 * controls. Each planted link points into a directory only root can enter.
 */
class RootSafetyIT {
    static final List<String> AS_NOBODY = List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups");

    @TempDir
    Path dir;

    Ingestd ingestd;
    Path vault;
    Path secret;

    @BeforeEach
    void rootOnlyFile() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // nobody must reach it
        vault = Files.createDirectory(dir.resolve("vault"));
        Files.setPosixFilePermissions(vault, PosixFilePermissions.fromString("rwx------"));
        secret = Files.writeString(vault.resolve("secret"), "root only\n");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
    }

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    /** H2 in data.dir (db.url empty): the daemon opens its database as nobody, after the drop. */
    private Ingestd asNobody() throws Exception {
        return Ingestd.on(TestDatabases.H2, dir)
                .set("db.url", "")
                .set("user", "nobody")
                .set("group", "nogroup");
    }

    /** A directory as the daemon's user leaves it: its own. */
    private Path daemonOwned(String name) throws Exception {
        Path p = Files.createDirectories(dir.resolve(name));
        Files.setAttribute(p, "unix:uid", 65534);
        Files.setAttribute(p, "unix:gid", 65534);
        return p;
    }

    private void assertSecretUntouched() throws Exception {
        assertThat(Files.readString(secret, StandardCharsets.UTF_8)).isEqualTo("root only\n");
        assertThat(Files.getAttribute(secret, "unix:uid")).isEqualTo(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)))
                .isEqualTo("rw-------");
    }

    @Test
    void aLinkPlantedInDataDirIsNeitherFollowedNorHandedOver() throws Exception {
        Path data = daemonOwned("data");
        Files.createSymbolicLink(data.resolve("planted"), secret);
        Files.createSymbolicLink(data.resolve("ingestd.trace.db"), secret);
        ingestd = asNobody();
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,2,3")).isEqualTo("TRUE");
        }
        assertSecretUntouched();
        assertThat(Files.getAttribute(data.resolve("planted"), "unix:uid", java.nio.file.LinkOption.NOFOLLOW_LINKS))
                .isEqualTo(0); // the link itself is left as it was
    }

    @Test
    void aPidFileThatIsALinkIsRefusedAndItsTargetKept() throws Exception {
        Path data = daemonOwned("data");
        Files.createSymbolicLink(data.resolve("ingestd.pid"), secret);
        ingestd = asNobody();
        var start = ingestd.start();
        assertThat(start.exitCode()).as(start.toString()).isEqualTo(150);
        assertThat(start.err()).contains("ingestd.pid", "symbolic link");
        assertSecretUntouched();
    }

    @Test
    void rootStopSignalsNoProcessThatAPlantedPidFileLinkLeadsTo() throws Exception {
        Path data = daemonOwned("data");
        Path locked = vault.resolve("locked");
        Files.writeString(locked, "");
        // an unrelated root process holding a lock on the link's target, as a database server holds its files
        var holder = new ProcessBuilder("flock", locked.toString(), "sleep", "120").start();
        try {
            org.awaitility.Awaitility.await()
                    .atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> Files.readString(Path.of("/proc/locks"))
                            .contains(":" + Files.getAttribute(locked, "unix:ino") + " "));
            Files.createSymbolicLink(data.resolve("ingestd.pid"), locked);
            Files.writeString(locked, holder.pid() + "\n");
            ingestd = asNobody();
            var stop = ingestd.stop();
            assertThat(stop.exitCode()).as(stop.toString()).isEqualTo(4);
            assertThat(stop.err()).contains("symbolic link", "nothing is signalled");
            assertThat(holder.isAlive()).isTrue();
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aLogLinkGivesTheDroppedDaemonNothingOnlyRootCouldWrite() throws Exception {
        Path log = daemonOwned("log");
        Path target = vault.resolve("made-by-root");
        Files.createSymbolicLink(log.resolve("rejects.log"), target);
        ingestd = asNobody();
        var start = ingestd.start();
        assertThat(start.exitCode()).as(start.toString()).isNotZero();
        assertThat(start.err()).contains("rejects.log");
        assertThat(target).doesNotExist(); // opened as nobody, after the drop: the vault stays shut
    }

    @Test
    void aSharedLogDirectoryIsNeitherTakenNorChanged() throws Exception {
        Path shared = Files.createDirectory(dir.resolve("shared"));
        Path other = Files.writeString(shared.resolve("syslog"), "someone else's\n");
        ingestd = asNobody().set("log.dir", shared.toString());
        var start = ingestd.start();
        assertThat(start.exitCode()).as(start.toString()).isEqualTo(6);
        assertThat(start.err()).contains("log.dir", shared.toString(), "syslog", "did not create");
        assertThat(Files.getAttribute(shared, "unix:uid")).isEqualTo(0);
        assertThat(Files.getAttribute(other, "unix:uid")).isEqualTo(0);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared)))
                .isEqualTo("rwxr-xr-x");
    }

    @Test
    void aDirectoryEveryUserMayWriteIsRefused() throws Exception {
        Path data = Files.createDirectory(dir.resolve("data"));
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxrwxrwx"));
        ingestd = asNobody();
        var start = ingestd.start();
        assertThat(start.exitCode()).as(start.toString()).isEqualTo(6);
        assertThat(start.err()).contains("data.dir", "writable by every user", "chmod o-w");
    }

    @Test
    void rootWithoutUserBecomesNobodyAndSaysSoOnTheTerminalAndInTheLog() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("db.url", "");
        ingestd.settings.removeIf(s -> s.startsWith("user="));
        var start = ingestd.startOk();
        assertThat(start.out()).contains("WARNING", "running as nobody", "adduser --system", "user=ingestd");
        assertThat(new Proc(ingestd.pid()).status("Uid")).isEqualTo("65534\t65534\t65534\t65534");
        assertThat(Files.readString(ingestd.log())).contains("running as nobody");
    }

    @Test
    void rootStaysRootOnlyWhenWrittenOutAndIsWarnedAbout() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("user", "root");
        var start = ingestd.startOk();
        assertThat(start.out()).contains("WARNING: running as root (user=root)");
        assertThat(new Proc(ingestd.pid()).status("Uid")).startsWith("0\t");
    }

    @Test
    void theDaemonsUserCanNeitherAttachToItNorReconfigureIt() throws Exception {
        ingestd = asNobody();
        ingestd.startOk();
        int pid = ingestd.pid();
        String cmdline = Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ');
        assertThat(cmdline).contains("-XX:+DisableAttachMechanism");
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        var cmd = new java.util.ArrayList<>(AS_NOBODY);
        cmd.addAll(List.of(jcmd.toString(), Integer.toString(pid), "VM.system_properties"));
        var p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isNotZero();
        assertThat(out).doesNotContain("java.version=");

        var status = ingestd.cliIn(null, AS_NOBODY, "status");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        var reload = ingestd.cliIn(null, AS_NOBODY, "reload", "--set", "log.level=error");
        assertThat(reload.exitCode()).as(reload.toString()).isNotZero();
        assertThat(reload.err()).contains("permission denied", "nobody");
        assertThat(ingestd.cli("reload", "--set", "log.level=debug").exitCode()).isZero(); // root may
    }

    @Test
    void keygenWritesNoKeyThroughAPlantedLink() throws Exception {
        Path keys = daemonOwned("keys");
        Path target = vault.resolve("written-by-root");
        Files.createSymbolicLink(keys.resolve("trade01.key"), target); // dangling: exists() alone says no
        var keygen = Ingestd.run(java.util.Map.of(), "keygen", "trade01", "--dir", keys.toString());
        assertThat(keygen.exitCode()).as(keygen.toString()).isNotZero();
        assertThat(keygen.err()).contains("exists already");
        assertThat(target).doesNotExist();
    }

    @Test
    void keyFilesAndClientDirectoriesOthersCanWriteAreRefused() throws Exception {
        Path keys = Files.createDirectory(dir.resolve("keys"));
        assertThat(Ingestd.run(java.util.Map.of(), "keygen", "server", "--dir", keys.toString())
                        .exitCode())
                .isZero();
        Path secret = keys.resolve("server.key_secret");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-rw-rw-"));
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("curve.server.key", secret.toString())
                .set("curve.allow-any-client", "true");
        var loose = ingestd.start();
        assertThat(loose.exitCode()).as(loose.toString()).isEqualTo(6);
        assertThat(loose.err()).contains("curve.server.key", "readable or writable by others", "chmod 0600");

        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        Path clients = Files.createDirectory(dir.resolve("clients"));
        Files.setPosixFilePermissions(clients, PosixFilePermissions.fromString("rwxrwxrwx"));
        ingestd.set("curve.allow-any-client", "false").set("curve.clients.dir", clients.toString());
        var open = ingestd.start();
        assertThat(open.exitCode()).as(open.toString()).isEqualTo(6);
        assertThat(open.err()).contains("curve.clients.dir", "writable by others", "chmod go-w");
    }

    @Test
    void aPasswordInArgvIsRefused() {
        var start = Ingestd.run(java.util.Map.of(), "check-config", "--set", "db.password=hunter2");
        assertThat(start.exitCode()).isEqualTo(6);
        assertThat(start.err()).contains("db.password.file").doesNotContain("hunter2");
    }

    @Test
    void reopenLogsAsksTheDaemonAndNeedsNoPidFromAFile() throws Exception {
        ingestd = asNobody();
        ingestd.startOk();
        Path moved = ingestd.log().resolveSibling("ingestd.log.1");
        Files.move(ingestd.log(), moved);
        String recorded = Files.readString(ingestd.pidFile());
        Files.writeString(ingestd.pidFile(), "-1\n"); // what a compromised daemon user could leave there
        var reopen = ingestd.cli("reopen-logs");
        Files.writeString(ingestd.pidFile(), recorded);
        assertThat(reopen.exitCode()).as(reopen.toString()).isZero();
        assertThat(ingestd.log()).exists();
        assertThat(Files.getAttribute(ingestd.log(), "unix:uid")).isEqualTo(65534);
        assertThat(Files.readString(moved)).contains("ready (pid");
    }
}
