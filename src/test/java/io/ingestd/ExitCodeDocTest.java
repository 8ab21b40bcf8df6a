package io.ingestd;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

/** The README's exit-code table is generated from {@link ExitCode}; this keeps it from drifting. */
class ExitCodeDocTest {
    @Test
    void readmeHoldsTheCurrentExitCodeTable() throws Exception {
        Path readme = Path.of(System.getProperty("ingestd.home", ".")).resolve("README.md");
        assertThat(Files.readString(readme))
                .as("README.md is stale: run libexec/update-readme (or paste `bin/ingestd exit-codes`)")
                .contains(ExitCode.markdownTable());
    }
}
