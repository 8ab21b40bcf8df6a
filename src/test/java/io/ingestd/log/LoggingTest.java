package io.ingestd.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.rolling.RollingFileAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Who rotates the log files: ingestd itself (log.rotate=self) or an outside tool such as logrotate (external). */
class LoggingTest {
    @TempDir
    Path dir;

    @AfterEach
    void backToTheTestConfiguration() throws Exception {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        new ContextInitializer(ctx).autoConfig();
    }

    @Test
    void selfRotationRollsBothFiles() {
        Logging.configure(dir, "info", false, true);
        assertThat(appenders()).hasSize(2).allMatch(a -> a instanceof RollingFileAppender<?>);
    }

    @Test
    void externalRotationWritesPlainFilesAndReopensThemAfterAMove() throws Exception {
        Logging.configure(dir, "info", false, false);
        assertThat(appenders()).hasSize(2).noneMatch(a -> a instanceof RollingFileAppender<?>);
        LoggerFactory.getLogger("test").info("before the move");
        Files.move(dir.resolve(Logging.MAIN_FILE), dir.resolve(Logging.MAIN_FILE + ".1"));

        Logging.reopen();
        LoggerFactory.getLogger("test").info("after the move");

        assertThat(Files.readString(dir.resolve(Logging.MAIN_FILE + ".1"), StandardCharsets.UTF_8))
                .contains("before the move")
                .doesNotContain("after the move");
        assertThat(Files.readString(dir.resolve(Logging.MAIN_FILE), StandardCharsets.UTF_8))
                .contains("after the move");
    }

    private static java.util.List<Object> appenders() {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        var out = new java.util.ArrayList<Object>();
        for (var l : ctx.getLoggerList()) {
            for (var it = l.iteratorForAppenders(); it.hasNext(); ) out.add(it.next());
        }
        return out;
    }
}
