package io.ingestd.posix;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

class PosixTest {
    @TempDir
    Path dir;

    @Test
    void aFailedCallThrowsNamingTheCallAndErrno() {
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> Posix.open(missing.toString(), Posix.O_RDONLY, 0))
                .isInstanceOfSatisfying(
                        PosixException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ENOENT))
                .hasMessage("open(" + missing + "): ENOENT (No such file or directory)");
        assertThatThrownBy(() -> Posix.close(-1)).hasMessageStartingWith("close(-1): EBADF");
    }

    @Test
    void aSuccessfulCallReturnsItsResult() throws Exception {
        Path file = Files.writeString(dir.resolve("f"), "x");
        int fd = Posix.open(file.toString(), Posix.O_RDONLY, 0);
        assertThat(fd).isGreaterThan(2);
        Posix.close(fd);
    }

    @Test
    void killSaysFalseForNoSuchProcessAndTrueForALiveOne() {
        assertThat(Posix.kill((int) ProcessHandle.current().pid(), 0)).isTrue();
        assertThat(Posix.kill(Integer.MAX_VALUE, 0)).isFalse();
    }
}
