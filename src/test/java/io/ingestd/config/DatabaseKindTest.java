package io.ingestd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

class DatabaseKindTest {
    @TempDir
    Path dir;

    @Test
    void eachSupportedPrefixNamesItsKind() {
        assertThat(DatabaseKind.of("jdbc:mariadb://h/db?user=u")).contains(DatabaseKind.MARIADB);
        assertThat(DatabaseKind.of("jdbc:mysql://h/db"))
                .as("the MariaDB driver refuses it")
                .isEmpty();
        assertThat(DatabaseKind.of("jdbc:postgresql://h/db")).contains(DatabaseKind.POSTGRESQL);
        assertThat(DatabaseKind.of("jdbc:h2:mem:x")).contains(DatabaseKind.H2);
        assertThat(DatabaseKind.of("jdbc:oracle:thin:@h:1521:x")).isEmpty();
        assertThat(DatabaseKind.of("JDBC:MARIADB://h/db"))
                .as("the drivers are case-sensitive")
                .isEmpty();
    }

    @Test
    void theCheckAndTheKeyDocumentationListEverySupportedPrefix() {
        String doc = Keys.markdownTable()
                .lines()
                .filter(l -> l.startsWith("| `db.url` |"))
                .findFirst()
                .orElseThrow();
        for (var k : DatabaseKind.values()) {
            for (var p : k.prefixes()) assertThat(doc).contains("`" + p + "`");
        }
        assertThatThrownBy(() -> ConfigLoader.load(
                        new Config.Source(
                                Optional.empty(), Map.of("db.url", "jdbc:oracle:thin:@h:1521:x?password=secret"), dir),
                        Map.of()))
                .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems())
                        .containsExactly("db.url: unsupported database 'jdbc:oracle:thin:@h:1521:x' "
                                + "(use jdbc:mariadb:, jdbc:postgresql: or jdbc:h2:)"));
    }
}
