package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The installable releases, end to end (issue 15): {@code src/test/packaging/install-test} builds the .deb and the
 * tarball with {@code bin/package}, installs, runs, removes and purges the package as root with no JDK or Maven on
 * the PATH, runs the tarball as {@code nobody}, and restores the machine. Needs root and dpkg (CI has both).
 */
class PackageIT {
    @Test
    void bothArtifactsInstallRunAndUninstallAsTheReadmeSays() throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root: dpkg -i, adduser");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/dpkg-deb")), "needs dpkg-deb");
        Path home = Path.of(System.getProperty("ingestd.home", "."));
        var pb = new ProcessBuilder(
                        home.resolve("src/test/packaging/install-test").toString())
                .redirectErrorStream(true);
        pb.environment().put("INGESTD_UNDER_MAVEN", "1"); // the jars of this build are there: package them
        var p = pb.start();
        var out = new StringBuilder();
        try (var r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                System.out.println(line); // the figures (sizes, start-up times) belong in the build log
                out.append(line).append('\n');
            }
        }
        assertThat(p.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as(out.toString()).isZero();
        assertThat(out).contains("install-test: passed");
    }
}
