package io.ingestd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir Path dir;

    Config load(Map<String, String> overrides) throws ConfigException {
        return ConfigLoader.load(new Config.Source(Optional.empty(), overrides, dir), Map.of()).config();
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
        var c = ConfigLoader.load(new Config.Source(Optional.of(file), Map.of(), Path.of("/")), Map.of()).config();
        assertThat(c.paths().dataDir()).isEqualTo(dir.resolve("var/data"));
        assertThat(c.paths().logDir()).isEqualTo(etc.resolve("logs"));
    }

    @Test
    void everyProblemNamesItsKey() {
        assertThatThrownBy(() -> load(Map.of("batch.max", "0", "db.retry-window", "5", "listen", "http://x",
                "umask", "999", "log.level", "loud")))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
                        "listen: 'http://x' is not an endpoint like tcp://127.0.0.1:5555",
                        "log.level: 'loud' is not one of " + java.util.Set.of("error", "warn", "info", "debug", "trace"),
                        "batch.max: '0' is not a positive integer",
                        "db.retry-window: '5' is not a duration like 500ms, 10s, 5m",
                        "umask: '999' is not an octal mask like 027"));
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
        var fromEnv = ConfigLoader.load(new Config.Source(Optional.empty(), Map.of(), dir),
                Map.of("INGESTD_DB_PASSWORD", "envpw")).config();
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
        assertThat(load(Map.of("spool", "off", "spool.dir", "/var/spool/x", "spool.max-bytes", "64k")).spool())
                .isEqualTo(new SpoolConfig(false, Path.of("/var/spool/x"), 65536));
        assertThatThrownBy(() -> load(Map.of("spool", "yes", "spool.max-bytes", "12q")))
                .hasMessageContaining("spool: 'yes' is not on or off").hasMessageContaining("spool.max-bytes: '12q'");
    }
}
