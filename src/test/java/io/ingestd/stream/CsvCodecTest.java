package io.ingestd.stream;

import static io.ingestd.stream.Streams.bad;
import static io.ingestd.stream.Streams.ok;
import static io.ingestd.stream.Streams.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.stream.RecordCodec.Decoded;
import io.ingestd.stream.Rejection.Problem;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

class CsvCodecTest {
    static final Stream DEAL = stream(StreamDeclarationsTest.DEAL_FIELDS);
    static final String DEAL_LINE = "1,7,EURUSD,2026-03-01T12:00:00Z,1.5,1.08123,-0.25,";

    @Test
    void readsTheDealStreamsRecord() {
        var b = ok(DEAL, DEAL_LINE + "first deal");
        assertThat(b.size()).isEqualTo(1);
        assertThat(b.value(0, 0)).isEqualTo(1L);
        assertThat(b.value(0, 2)).isEqualTo("EURUSD");
        assertThat(b.value(0, 3)).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(b.value(0, 5)).isEqualTo(new BigDecimal("1.08123"));
        assertThat(b.value(0, 6)).isEqualTo(new BigDecimal("-0.25"));
        assertThat(b.value(0, 7)).isEqualTo("first deal");
    }

    @Test
    void quotedFieldsHoldCommasDoubledQuotesAndSpaces() {
        var b = ok(DEAL, DEAL_LINE + "\"a, \"\"b\"\" c \"");
        assertThat(b.value(0, 7)).isEqualTo("a, \"b\" c ");
        assertThat(ok(DEAL, "\"1\",\"7\",\"EURUSD\"," + DEAL_LINE.substring(11)).value(0, 0))
                .isEqualTo(1L);
    }

    @Test
    void aQuotedLineBreakStaysInTheRecordAndCountsAsALine() {
        var s = stream("id:int64, note:text(20)");
        // text refuses control characters, so the record is framed right and then refused for its value
        assertThat(bad(s, "1,\"a\nb\"\n2,x\n3,\"\"\"").detail())
                .isEqualTo("line 1: note: contains the control character U+000A");
        assertThat(bad(s, "1,\"a\r\nb\"\n2,y").detail())
                .isEqualTo("line 1: note: contains the control character U+000D");
        assertThat(bad(s, "1,\"a\nb\nc\"\n2,\"x").detail())
                .isEqualTo("line 1: note: contains the control character U+000A");
        // the line count goes on after the quoted break: the bad value is on the message's fourth line
        assertThat(bad(stream("id:int64, n:int64"), "1,\"2\n\"\n3,4\nx,5").detail())
                .isEqualTo("line 1: n: 2\\x0a is not an integer");
        assertThat(bad(s, "1,\"\n\"\n3,4\n5,\"unterminated").detail())
                .isEqualTo("line 1: note: contains the control character U+000A");
    }

    @Test
    void linesAreCountedPastQuotedLineBreaks() {
        var s = stream("note:text(20)?, id:int64");
        var r = bad(s, "\"\"\n\"x\",1\n,2\n,y");
        assertThat(r.detail()).isEqualTo("line 1: expected 2 fields note,id, got 1");
        var t = stream("a:int64, b:text(9)?");
        assertThat(Streams.decode(t, "1,\"x\ny\"")).isInstanceOf(Decoded.Invalid.class);
    }

    @Test
    void emptyIsNullQuotedEmptyIsAnEmptyTextAndTrailingOptionalsMayBeLeftOut() {
        var s = stream("id:int64, a:text(5)?, b:int64?, c:text(5)?");
        var b = ok(s, "1,,,\n2,\"\",\"\",\"\"\n3\n4,x");
        assertThat(b.size()).isEqualTo(4);
        assertThat(b.value(0, 1)).isNull();
        assertThat(b.value(0, 2)).isNull();
        assertThat(b.value(1, 1)).isEqualTo("");
        assertThat(b.value(1, 2)).isNull();
        assertThat(b.value(1, 3)).isEqualTo("");
        assertThat(b.value(2, 3)).isNull();
        assertThat(b.value(3, 1)).isEqualTo("x");
        assertThat(b.value(3, 3)).isNull();
    }

    @Test
    void acceptsCrlfAndATrailingLineBreak() {
        var s = stream("a:int64, b:int64");
        assertThat(ok(s, "1,2\r\n3,4\r\n").size()).isEqualTo(2);
        assertThat(ok(s, "1,2\n3,4\n").size()).isEqualTo(2);
        assertThat(ok(s, "1,\"2\"\r\n3,\"4\"").size()).isEqualTo(2);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|EMPTY|empty message (expected a,b)",
                "' \r\n '|EMPTY|empty message (expected a,b)",
                "'1,2\n\n3,4'|EMPTY|line 2: empty line",
                "'1,2\n\n'|EMPTY|line 2: empty line",
                "'1'|FIELD_COUNT|line 1: expected 2 fields a,b, got 1",
                "'1,2\n3,4,5'|FIELD_COUNT|line 2: expected 2 fields a,b, got 3",
                "'1,2,'|FIELD_COUNT|line 1: expected 2 fields a,b, got 3",
                "'x,2,3'|FIELD_COUNT|line 1: expected 2 fields a,b, got 3",
                "'1,'|MISSING|line 1: b: empty (required)",
                "'1,\"\"'|MISSING|line 1: b: empty (required)",
                "'1,2\"'|MALFORMED|line 1: b: a quote inside an unquoted field (quote the whole field)",
                "'1,\"2'|MALFORMED|line 1: b: unterminated quoted field",
                "'1,\"2\"x'|MALFORMED|line 1: b: text after the closing quote",
                "'1,2,\"3'|MALFORMED|line 1: field 3: unterminated quoted field",
                "'1,\"2\n3\"\n5,x'|NOT_A_VALUE|line 1: b: 2\\x0a3 is not an integer",
            })
    void rejectsTheMessageNamingTheLine(String body, Problem problem, String detail) {
        var r = bad(stream("a:int64, b:int64"), body);
        assertThat(r.problem()).isEqualTo(problem);
        assertThat(r.detail()).isEqualTo(detail);
    }

    @Test
    void theErrorsOfTheIssueReadAsWritten() {
        assertThat(bad(DEAL, DEAL_LINE + "\n" + DEAL_LINE + "\n2,7,EURUSD,2026-03-01T12:00:00Z,1.5,1.123456,0,")
                        .detail())
                .isEqualTo("line 3: price: 1.123456 has more than 5 decimals");
        assertThat(bad(DEAL, "1,7,EURUSDEURUSDEURUSD,2026-03-01T12:00:00Z,1.5,1.08123,-0.25,")
                        .detail())
                .isEqualTo("line 1: symbol: longer than 16 characters");
    }

    @Test
    void aMessageIsAllOrNothing() {
        var r = Streams.decode(DEAL, DEAL_LINE + "\n" + DEAL_LINE + "\n" + "x" + DEAL_LINE);
        assertThat(r).isInstanceOf(Decoded.Invalid.class);
    }

    @Test
    void limitsTheRecordsOfAMessage() {
        var s = stream("a:int64");
        var codec = s.codec();
        assertThat(((Decoded.Invalid) codec.decode("1\n2\n3".getBytes(StandardCharsets.UTF_8), 2)).rejection())
                .isEqualTo(new Rejection(Problem.TOO_MANY_RECORDS, "too many records: 3 (max 2)"));
        var t = stream("a:text(3)");
        assertThat(((Decoded.Invalid) t.codec().decode("\"1\"\n2\n3".getBytes(StandardCharsets.UTF_8), 2)).rejection())
                .isEqualTo(new Rejection(Problem.TOO_MANY_RECORDS, "too many records: more than 2"));
        assertThat(codec.decode("1\n2".getBytes(StandardCharsets.UTF_8), 2)).isInstanceOf(Decoded.Parsed.class);
    }

    @Test
    void rejectsInvalidUtf8() {
        var r = stream("a:text(3)").codec().decode(new byte[] {'a', (byte) 0xc3}, 10);
        assertThat(((Decoded.Invalid) r).rejection())
                .isEqualTo(new Rejection(Problem.NOT_UTF8, "message is not valid UTF-8"));
    }

    @Test
    void encodesWhatItDecodes() {
        var s = stream("id:int64, a:text(9)?, b:decimal(6,2)?, t:timestamp?, ok:boolean?, d:date?");
        var b = ok(s, "1,\"x,\"\"y\",1.5,2026-03-01T12:00:00+01:00,true,2026-01-31\n2,\"\",,,,\n3");
        String csv = new String(s.codec().encode(b), StandardCharsets.UTF_8);
        assertThat(csv).isEqualTo("1,\"x,\"\"y\",1.50,2026-03-01T11:00:00.000Z,true,2026-01-31\n2,\"\",,,,\n3,,,,,");
        var again = ok(s, csv);
        for (int i = 0; i < b.size(); i++) assertThat(again.sameRecord(i, b, i)).isTrue();
    }

    @Property(tries = 3000)
    void anyBytesGetExactlyOneOutcomeAndNeverThrow(@ForAll byte[] body) {
        assertThat(DEAL.codec().decode(body, 100)).isNotNull();
        assertThat(stream("a:text(4)?, b:int64?").codec().decode(body, 100)).isNotNull();
    }
}
