package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ingestd.config.Config;
import io.ingestd.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/** A restart skips Flyway only when the scripts and the schema history are what Flyway last validated. */
class SchemaFingerprintTest {
    @TempDir
    Path dir;

    private String url() {
        return "jdbc:h2:file:" + dir.resolve("fee");
    }

    private Database open() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Config config = ConfigLoader.load(
                        new Config.Source(Optional.empty(), Map.of("db.url", url(), "data.dir", "data"), dir), Map.of())
                .config();
        return Database.open(config);
    }

    private Path marker() {
        return dir.resolve("data").resolve(SchemaFingerprint.FILE);
    }

    /** Changes the checksum Flyway recorded for version 1: Flyway's validation refuses that. */
    private void tamperHistory() throws Exception {
        try (Connection c = DriverManager.getConnection(url());
                var st = c.createStatement()) {
            String h = TableShape.find(c, "fee_schema_history").orElseThrow();
            st.executeUpdate("UPDATE " + SchemaHistory.quote(c, h) + " SET " + SchemaHistory.quote(c, "checksum")
                    + " = 12345 WHERE " + SchemaHistory.quote(c, "version") + " = '1'");
        }
    }

    private String fingerprintNow() throws Exception {
        try (Connection c = DriverManager.getConnection(url())) {
            return SchemaFingerprint.of(
                    c,
                    Dialect.H2,
                    "fee",
                    TableShape.find(c, "fee_schema_history").orElseThrow());
        }
    }

    @Test
    void aMigrationLeavesTheFingerprintOfWhatFlywayValidated() throws Exception {
        open().close();
        assertThat(Files.readString(marker()).strip())
                .isEqualTo(fingerprintNow())
                .hasSize(64);
    }

    @Test
    void aChangedHistoryRunsFlywayAgainWhichRefusesIt() throws Exception {
        open().close();
        tamperHistory();
        assertThatThrownBy(this::open)
                .isInstanceOf(Database.SchemaRefused.class)
                .hasMessageContaining("Validate failed");
    }

    @Test
    void anUnchangedHistorySkipsFlyway() throws Exception {
        open().close();
        // the same tampered history, but recorded as validated: only a run of Flyway would refuse it
        tamperHistory();
        Files.writeString(marker(), fingerprintNow() + "\n");
        open().close();
    }

    @Test
    void eachDialectListsEveryScriptOfItsFolderInVersionOrder() throws Exception {
        for (Dialect d : Dialect.values()) {
            String folder = d.migrations.substring("classpath:".length());
            Path onDisk = Path.of(SchemaFingerprintTest.class
                    .getClassLoader()
                    .getResource(folder)
                    .toURI());
            try (var files = Files.list(onDisk)) {
                var expected = files.map(p -> folder + "/" + p.getFileName())
                        .sorted(Comparator.comparingInt(SchemaFingerprintTest::version))
                        .toList();
                assertThat(d.scripts).as(d.name()).isEqualTo(expected);
            }
        }
        assertThat(Arrays.asList(Dialect.values())).hasSize(3);
    }

    private static int version(String script) {
        String name = script.substring(script.lastIndexOf('/') + 2);
        return Integer.parseInt(name.substring(0, name.indexOf("__")));
    }
}
