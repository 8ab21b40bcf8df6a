package io.ingestd.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** The README's configuration table is generated from the code; this keeps it from drifting. */
class ConfigDocTest {
    @Test
    void readmeHoldsTheCurrentConfigurationTable() throws Exception {
        Path readme = Path.of(System.getProperty("ingestd.home", ".")).resolve("README.md");
        assertThat(Files.readString(readme))
                .as("README.md is stale: replace its table with the output of `bin/ingestd config-keys`")
                .contains(Keys.markdownTable());
    }
}
