package io.ingestd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    Config load(Map<String, String> overrides) throws ConfigException {
        return ConfigLoader.load(new Config.Source(Optional.empty(), overrides, dir), Map.of())
                .config();
    }

    @Test
    void onlyLoopbackAddressLiteralsCountAsLoopback() {
        assertThat(ConfigLoader.isLoopback("tcp://127.0.0.1:5555")).isTrue();
        assertThat(ConfigLoader.isLoopback("tcp://127.1.2.3:5555")).isTrue();
        assertThat(ConfigLoader.isLoopback("tcp://[::1]:5555")).isTrue();
        assertThat(ConfigLoader.isLoopback("tcp://localhost:5555")).isTrue();
        assertThat(ConfigLoader.isLoopback("tcp://127.0.0.1.evil.example:5555")).isFalse();
        assertThat(ConfigLoader.isLoopback("tcp://127.attacker:5555")).isFalse();
        assertThat(ConfigLoader.isLoopback("tcp://0.0.0.0:5555")).isFalse();
        assertThat(ConfigLoader.isLoopback("tcp://*:5555")).isFalse();
    }

    @Test
    void aPasswordOnTheCommandLineIsRefusedWithWhereToPutIt() {
        assertThatThrownBy(() -> ConfigLoader.parseOverride("db.password=hunter2"))
                .hasMessageContaining("db.password.file")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void runsWithNoConfigAtAllOnDefaults() throws Exception {
        var c = load(Map.of());
        assertThat(c.listen()).containsExactly("tcp://127.0.0.1:5555");
        assertThat(c.paths().dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(c.paths().pidFile()).isEqualTo(dir.resolve("data/ingestd.pid"));
        assertThat(c.db().url()).startsWith("jdbc:h2:file:" + dir.resolve("data/ingestd"));
        assertThat(c.limits().batchMax()).isEqualTo(5000);
    }

    @Test
    void relativePathsResolveAgainstTheConfigFilesDirectory() throws Exception {
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Path file = etc.resolve("ingestd.properties");
        Files.writeString(file, "data.dir = ../var/data\nlog.dir=logs\n");
        var c = ConfigLoader.load(new Config.Source(Optional.of(file), Map.of(), Path.of("/")), Map.of())
                .config();
        assertThat(c.paths().dataDir()).isEqualTo(dir.resolve("var/data"));
        assertThat(c.paths().logDir()).isEqualTo(etc.resolve("logs"));
    }

    @Test
    void everyProblemNamesItsKey() {
        assertThatThrownBy(() -> load(Map.of(
                        "batch.max",
                        "0",
                        "db.retry-window",
                        "5",
                        "listen",
                        "http://x",
                        "umask",
                        "999",
                        "log.level",
                        "loud")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactlyInAnyOrder(
                                "listen: 'http://x': not an endpoint like tcp://127.0.0.1:5555, tcp://[::1]:5555 or ipc:///run/ingestd.sock",
                                "log.level: 'loud' is not one of "
                                        + java.util.Set.of("error", "warn", "info", "debug", "trace"),
                                "batch.max: '0' is not a positive integer",
                                "db.retry-window: '5' is not a duration like 500ms, 10s, 5m",
                                "umask: '999' is not an octal mask like 027"));
    }

    @Test
    void endpointsPortsAndDatabaseUrlsThatCannotWorkAreRefusedWithTheKey() {
        assertThat(problems("listen", "inproc://x"))
                .singleElement()
                .asString()
                .startsWith("listen: 'inproc://x': inproc://");
        assertThat(problems("listen", "tcp://127.0.0.1:0"))
                .containsExactly("listen: 'tcp://127.0.0.1:0': port 0 is not between 1 and 65535");
        assertThat(problems("listen", "tcp://127.0.0.1:"))
                .containsExactly("listen: 'tcp://127.0.0.1:': the port is missing");
        assertThat(problems("listen", "tcp://[::1]:5555")).isEmpty();
        assertThat(problems("metrics.listen", "127.0.0.1:99999"))
                .containsExactly("metrics.listen: '127.0.0.1:99999': port 99999 is not between 1 and 65535, or off");
        assertThat(problems("metrics.listen", "[::1]:9555")).isEmpty();
        assertThat(problems("db.url", "jdbc:mysql://h/db"))
                .singleElement()
                .asString()
                .startsWith("db.url: 'jdbc:mysql://h/db': ")
                .contains("write jdbc:mariadb://h/db");
        assertThat(problems("db.url", "jdbc:h2:mem:x"))
                .singleElement()
                .asString()
                .startsWith("db.url: 'jdbc:h2:mem:x' is an in-memory database");
    }

    @Test
    void allowIpsTakesAddressesAndCidrBlocksOnly() {
        assertThat(problems("security.allow-ips", "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8"))
                .isEmpty();
        assertThat(problems("security.allow-ips", "not-an-ip"))
                .containsExactly("security.allow-ips: 'not-an-ip' is not "
                        + "an IP address or CIDR block (like 10.0.0.5, 127.0.0.0/8 or ::1)");
        assertThat(problems("security.allow-ips", "10.0.0.0/33")).hasSize(1);
        var loopback = IpRange.parse("127.0.0.0/8").orElseThrow();
        assertThat(loopback.contains("127.0.0.1")).isTrue();
        assertThat(loopback.contains("::ffff:127.0.0.1")).isTrue();
        assertThat(loopback.contains("10.0.0.1")).isFalse();
        assertThat(IpRange.parse("10.1.2.0/23").orElseThrow().contains("10.1.3.255"))
                .isTrue();
        assertThat(IpRange.parse("10.1.2.0/23").orElseThrow().contains("10.1.4.0"))
                .isFalse();
    }

    @Test
    void curveWithoutAClientDirectoryIsRefusedUnlessAnyClientIsAskedFor() throws Exception {
        Path key = dir.resolve("server.key_secret");
        Files.writeString(key, "");
        assertThat(problems("curve.server.key", key.toString()))
                .singleElement()
                .asString()
                .startsWith("curve.clients.dir: not set")
                .contains("curve.server.key", "curve.allow-any-client=true");
        var loaded = ConfigLoader.load(
                new Config.Source(
                        Optional.empty(),
                        Map.of("curve.server.key", key.toString(), "curve.allow-any-client", "true"),
                        dir),
                Map.of());
        assertThat(loaded.warnings()).anyMatch(w -> w.contains("any client key pair may write"));
    }

    @Test
    void stopAndStatusFindThePidFileDespiteATypoElsewhere() throws Exception {
        Path file = dir.resolve("ingestd.properties");
        Files.writeString(file, "data.dir=var\nbatch_max=5\n");
        var located = ConfigLoader.locate(new Config.Source(Optional.of(file), Map.of(), Path.of("/")));
        assertThat(located.pidFile()).isEqualTo(dir.resolve("var/ingestd.pid"));
        assertThat(located.otherProblems()).singleElement().asString().startsWith("unknown key 'batch_max'");
    }

    private java.util.List<String> problems(String key, String value) {
        try {
            load(Map.of(key, value));
            return java.util.List.of();
        } catch (ConfigException e) {
            return e.problems();
        }
    }

    @Test
    void unknownKeysAreErrorsWithASuggestion() {
        assertThatThrownBy(() -> load(Map.of("queue_max", "5")))
                .hasMessage("unknown key 'queue_max' (did you mean 'queue.max'?)");
    }

    @Test
    void passwordComesFromAPrivateFileOrTheEnvironmentAndNeverPrints() throws Exception {
        Path pw = dir.resolve("pw");
        Files.writeString(pw, "s3cret\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        var c = load(Map.of("db.password.file", pw.toString()));
        assertThat(c.db().password().reveal()).isEqualTo("s3cret");
        assertThat(c.toString()).doesNotContain("s3cret");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> load(Map.of("db.password.file", pw.toString())))
                .hasMessageContaining("db.password.file: " + pw + " is readable by group or others; chmod 600 it");
        var fromEnv = ConfigLoader.load(
                        new Config.Source(Optional.empty(), Map.of(), dir), Map.of("INGESTD_DB_PASSWORD", "envpw"))
                .config();
        assertThat(fromEnv.db().password().reveal()).isEqualTo("envpw");
    }

    @Test
    void theKeyTableDocumentsEveryKey() {
        String table = Keys.markdownTable();
        for (Key k : Keys.ALL) assertThat(table).contains("| `" + k.name() + "` |");
    }

    @Test
    void theSpoolIsOnInDataDirByDefaultAndItsKeysAreChecked() throws Exception {
        var c = load(Map.of());
        assertThat(c.spool()).isEqualTo(new SpoolConfig(true, dir.resolve("data/spool"), 1L << 30));
        assertThat(load(Map.of("spool", "off", "spool.dir", "/var/spool/x", "spool.max-bytes", "64k"))
                        .spool())
                .isEqualTo(new SpoolConfig(false, Path.of("/var/spool/x"), 65536));
        assertThatThrownBy(() -> load(Map.of("spool", "yes", "spool.max-bytes", "12q")))
                .hasMessageContaining("spool: 'yes' is not on or off")
                .hasMessageContaining("spool.max-bytes: '12q'");
    }
}
