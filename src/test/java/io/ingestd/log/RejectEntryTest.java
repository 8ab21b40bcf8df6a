package io.ingestd.log;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.ingestd.protocol.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

class RejectEntryTest {
    final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    final Logger logger = (Logger) LoggerFactory.getLogger(RejectLog.LOGGER);

    ch.qos.logback.classic.Level level;

    @BeforeEach
    void capture() {
        lines.start();
        logger.addAppender(lines);
        level = logger.getLevel();
        logger.setLevel(ch.qos.logback.classic.Level.INFO);
    }

    @AfterEach
    void release() {
        logger.detachAppender(lines);
        logger.setLevel(level);
    }

    String written(String raw, String detail) {
        new RejectLog().write(null, Reply.reject(Reply.Reason.CONFLICT, detail), raw);
        return lines.list.getLast().getFormattedMessage();
    }

    @Test
    void aLineWrittenByTheRejectLogGivesBackItsRecordsAndWhereTheyCameFrom() {
        var e = RejectEntry.parse(written("8000001,1,9.9\n", "conflict: ticket 8000001 \"x\" \\ é"));
        assertThat(e).isNotNull();
        assertThat(e.isFromSpool()).isTrue();
        assertThat(e.reason()).isEqualTo("conflict");
        assertThat(e.detail()).isEqualTo("conflict: ticket 8000001 \"x\" \\ é");
        assertThat(e.lines()).containsExactly("8000001,1,9.9");
        assertThat(e.isCut()).isFalse();
    }

    @Test
    void controlCharactersAndUtf8InTheRawMessageComeBackAsSent() {
        String raw = "1,2,3\r\n4,5,\t6 é\u0001";
        var e = RejectEntry.parse(written(raw, "x"));
        assertThat(e).isNotNull();
        assertThat(e.raw()).isEqualTo(raw);
        assertThat(e.lines()).containsExactly("1,2,3", "4,5,\t6 é\u0001");
    }

    @Test
    void aMessageLongerThanTheLimitIsMarkedCut() {
        String raw = "1,1,1\n".repeat(200);
        var e = RejectEntry.parse(written(raw, "x"));
        assertThat(e).isNotNull();
        assertThat(e.isCut()).isTrue();
        assertThat(e.raw().getBytes(StandardCharsets.UTF_8)).hasSize(512);
    }

    @Test
    void otherTextIsNotAnEntry() {
        assertThat(RejectEntry.parse("")).isNull();
        assertThat(RejectEntry.parse("2026-01-01 ERROR something")).isNull();
        assertThat(RejectEntry.parse("{\"peer\":\"spool\"}")).isNull();
        assertThat(RejectEntry.parse("{\"peer\":\"spool\",\"reason\":\"x\",\"raw\":\"1,1,1\""))
                .isNull();
    }
}
