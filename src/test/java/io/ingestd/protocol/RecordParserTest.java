package io.ingestd.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.protocol.RecordParser.Result;
import io.ingestd.protocol.Reply.Reason;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

class RecordParserTest {
    static Result parse(String s) {
        return RecordParser.parse(s.getBytes(StandardCharsets.UTF_8), 1 << 20, 10_000);
    }

    static Records ok(String s) {
        var r = parse(s);
        assertThat(r).isInstanceOf(Result.Parsed.class);
        return ((Result.Parsed) r).records();
    }

    static Reply.Reject bad(String s) {
        var r = parse(s);
        assertThat(r).isInstanceOf(Result.Invalid.class);
        return ((Result.Invalid) r).reject();
    }

    @Test
    void parsesTheSeedsLine() {
        var r = ok("12345,678,0.01");
        assertThat(r.size()).isEqualTo(1);
        assertThat(r.ticket(0)).isEqualTo(12345);
        assertThat(r.login(0)).isEqualTo(678);
        assertThat(r.volume(0)).isEqualByComparingTo("0.01");
    }

    @Test
    void acceptsManyLinesWithCrlfAndATrailingNewline() {
        var r = ok("1,2,3\r\n4,5,6.5\r\n");
        assertThat(r.size()).isEqualTo(2);
        assertThat(r.volume(1)).isEqualByComparingTo("6.5");
    }

    @Test
    void acceptsTheLargestValues() {
        var r = ok("9223372036854775807,9223372036854775807,99999999999999.9999");
        assertThat(r.ticket(0)).isEqualTo(Long.MAX_VALUE);
        assertThat(r.volume(0)).isEqualByComparingTo("99999999999999.9999");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|EMPTY|empty message",
                "'   '|EMPTY|empty message",
                "1,2|FIELD_COUNT|expected 3 fields ticket,login,volume, got 2",
                "1,2,3,4|FIELD_COUNT|got 4",
                "x,2,3|NOT_A_NUMBER|field ticket: not a number 'x'",
                "1,-2,3|NEGATIVE|field login: negative '-2'",
                "0,2,3|ZERO|field ticket: zero",
                "9223372036854775808,2,3|OUT_OF_RANGE|field ticket: '9223372036854775808' too large",
                "1,2,-3|NEGATIVE|field volume: negative '-3'",
                "1,2,1.00001|TOO_MANY_DIGITS|more than 4 decimal places (not rounded)",
                "1,2,123456789012345|TOO_MANY_DIGITS|more than 14 integer digits",
                "1,2,1e5|NOT_A_NUMBER|field volume: not a number '1e5'",
                "1,2,.5|NOT_A_NUMBER|field volume",
                "'1,2,3\n\n4,5,6'|EMPTY|line 2: empty line",
                "'1,2,3\n4,5,x'|NOT_A_NUMBER|line 2: field volume: not a number 'x'",
                "'1,2,3); DROP TABLE fee; --'|NOT_A_NUMBER|field volume: not a number '3); DROP TABLE fee; --'",
            })
    void rejectsWithTheLineAndFieldNamed(String body, Reason reason, String detail) {
        var r = bad(body);
        assertThat(r.reason()).isEqualTo(reason);
        assertThat(r.detail()).contains(detail);
    }

    @Test
    void rejectsInvalidUtf8AndOversizedAndTooManyRecords() {
        assertThat(((Result.Invalid) RecordParser.parse(new byte[] {'1', ',', (byte) 0xff}, 100, 10))
                        .reject()
                        .reason())
                .isEqualTo(Reason.NOT_UTF8);
        assertThat(((Result.Invalid) RecordParser.parse(new byte[101], 100, 10))
                        .reject()
                        .detail())
                .isEqualTo("message too large: 101 bytes (max 100)");
        assertThat(((Result.Invalid) RecordParser.parse("1,1,1\n2,2,2\n3,3,3".getBytes(StandardCharsets.UTF_8), 100, 2))
                        .reject()
                        .detail())
                .isEqualTo("too many records: 3 (max 2)");
    }

    @Property(tries = 2000)
    void anyInputGetsExactlyOneOutcomeAndNeverThrows(@ForAll byte[] body) {
        var r = RecordParser.parse(body, 1 << 20, 10_000);
        assertThat(r).isNotNull();
        if (r instanceof Result.Invalid(var reject))
            assertThat(reject.wire()).startsWith("FALSE ".getBytes(StandardCharsets.UTF_8));
    }

    @Property(tries = 2000)
    void validRecordsRoundTrip(@ForAll("records") long[] rec) {
        String line = rec[0] + "," + rec[1] + ","
                + java.math.BigDecimal.valueOf(rec[2], 4).toPlainString();
        var r = ok(line);
        assertThat(r.ticket(0)).isEqualTo(rec[0]);
        assertThat(r.login(0)).isEqualTo(rec[1]);
        assertThat(r.volumeUnits(0)).isEqualTo(rec[2]);
        assertThat(ok(r.line(0)).volumeUnits(0)).isEqualTo(rec[2]);
    }

    @Provide
    Arbitrary<long[]> records() {
        return Combinators.combine(
                        Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.longs().between(1, Long.MAX_VALUE),
                        Arbitraries.longs().between(0, 999_999_999_999_999_999L))
                .as((a, b, c) -> new long[] {a, b, c});
    }
}
