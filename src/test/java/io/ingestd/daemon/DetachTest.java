package io.ingestd.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.util.List;

class DetachTest {
    @Test
    void theDaemonGetsTheJvmOptionsOfStartWithoutThoseTheLauncherGaveTheCommandOnly() {
        var start = List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dingestd.command.jvm=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC",
                "-agentlib:jdwp=transport=dt_socket,server=y",
                "-Dingestd.home=/usr/lib/ingestd");
        assertThat(Detach.daemonOptions(start))
                .containsExactly("--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-Dingestd.home=/usr/lib/ingestd");
    }

    @Test
    void anOptionAlsoGivenByTheUserIsKeptOnce() {
        var start = List.of(
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Dingestd.command.jvm=-XX:+UseSerialGC " + "-XX:TieredStopAtLevel=1");
        assertThat(Detach.daemonOptions(start)).containsExactly("-XX:+UseSerialGC");
    }

    @Test
    void withoutTheLauncherEveryOptionIsKept() {
        assertThat(Detach.daemonOptions(List.of("-Xmx1g", "-XX:+UseSerialGC")))
                .containsExactly("-Xmx1g", "-XX:+UseSerialGC");
    }

    @Test
    void theDaemonGetsTheDaemonsAotCacheNotStarts() {
        var start = List.of(
                "-Xmx256m",
                "-XX:AOTCache=/opt/ingestd 1/lib/start.aot",
                "-Xlog:disable",
                "-Dingestd.daemon.aot=/opt/ingestd 1/lib/ingestd.aot",
                "-XX:TieredStopAtLevel=1",
                "-Dingestd.command.jvm=-XX:TieredStopAtLevel=1");
        assertThat(Detach.daemonOptions(start))
                .containsExactly("-Xmx256m", "-Xlog:disable", "-XX:AOTCache=/opt/ingestd 1/lib/ingestd.aot");
    }

    @Test
    void aCacheOfTheUsersOwnIsKeptWhenTheLauncherNamesNone() {
        assertThat(Detach.daemonOptions(List.of("-XX:AOTCache=/tmp/app.aot")))
                .containsExactly("-XX:AOTCache=/tmp/app.aot");
    }
}
