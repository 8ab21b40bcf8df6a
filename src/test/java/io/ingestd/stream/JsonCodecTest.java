package io.ingestd.stream;

import static io.ingestd.stream.Streams.bad;
import static io.ingestd.stream.Streams.ok;
import static io.ingestd.stream.Streams.stream;
import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.stream.Rejection.Problem;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;

class JsonCodecTest {
    static final Stream DEAL = stream(StreamDeclarationsTest.DEAL_FIELDS, "format", "json");
    static final Stream S =
            stream("id:int64, a:text(8)?, p:decimal(8,2)?, ok:boolean?, d:date?, t:timestamp?", "format", "json");

    @Test
    void readsOneObjectPerLineWithNumbersOrStrings() {
        var b = ok(
                DEAL,
                "{\"ticket\":1,\"login\":\"7\",\"symbol\":\"EURUSD\",\"time\":\"2026-03-01T12:00:00Z\",\"volume\":1.5,"
                        + "\"price\":\"1.08123\",\"commission\":-0.25}\n"
                        + "{\"comment\":\"x\",\"ticket\":2,\"login\":7,\"symbol\":\"EURUSD\",\"time\":1772366400000,"
                        + "\"volume\":1,\"price\":1,\"commission\":0}\n");
        assertThat(b.size()).isEqualTo(2);
        assertThat(b.value(0, 1)).isEqualTo(7L);
        assertThat(b.value(0, 5)).isEqualTo(new BigDecimal("1.08123"));
        assertThat(b.value(0, 7)).isNull();
        assertThat(b.value(1, 0)).isEqualTo(2L);
        assertThat(b.value(1, 3)).isEqualTo(Instant.parse("2026-03-01T12:00:00Z"));
        assertThat(b.value(1, 7)).isEqualTo("x");
    }

    @Test
    void nullEmptyAndAbsentAreNullAndEscapesAreRead() {
        var b = ok(
                S,
                // records separated by | here, by line breaks in the message
                ("{\"id\":1,\"a\":null,\"p\":\"\",\"ok\":true,\"d\":\"2026-01-31\"}|"
                                + " { \"id\" : 2 , \"a\" : \"\\u00e4\\\"\\/\\\\\\ud83d\\ude00\" , \"ok\" : \"false\" } \r|"
                                + "{\"id\":3,\"a\":\"\"}")
                        .replace('|', '\n'));
        assertThat(b.value(0, 1)).isNull();
        assertThat(b.value(0, 2)).isNull();
        assertThat(b.value(0, 3)).isEqualTo(true);
        assertThat(b.value(0, 4)).isEqualTo(LocalDate.of(2026, 1, 31));
        assertThat(b.value(0, 5)).isNull();
        assertThat(b.value(1, 1)).isEqualTo("ä\"/\\\uD83D\uDE00");
        assertThat(b.value(1, 3)).isEqualTo(false);
        assertThat(b.value(2, 1)).isEqualTo("");
    }

    @Test
    void anUnknownFieldIsRejectedUnlessTheStreamIgnoresIt() {
        assertThat(bad(S, "{\"id\":1,\"color\":\"red\"}").detail()).isEqualTo("line 1: unknown field color");
        var lenient = stream("id:int64", "format", "json", "unknown-fields", "ignore");
        var b = ok(lenient, "{\"color\":{\"r\":[1,2,{\"x\":null}]},\"id\":5,\"n\":-1.5e3,\"s\":\"\\n\",\"t\":true}");
        assertThat(b.value(0, 0)).isEqualTo(5L);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "''|EMPTY|empty message (expected one JSON object per record)",
                "'{\"id\":1}\n{\"id\":2,\"id\":3}'|DUPLICATE_FIELD|line 2: duplicate field id",
                "'{\"a\":\"x\"}'|MISSING|line 1: id: missing (required)",
                "'{\"id\":null}'|MISSING|line 1: id: null (required)",
                "'{\"id\":\"\"}'|MISSING|line 1: id: empty (required)",
                "'{\"id\":1.5}'|NOT_A_VALUE|line 1: id: 1.5 is not an integer",
                "'{\"id\":1e3}'|NOT_A_VALUE|line 1: id: 1e3 is not an integer",
                "'{\"id\":007}'|MALFORMED|line 1: id: invalid JSON number 007",
                "'{\"id\":-}'|MALFORMED|line 1: id: invalid JSON number -",
                "'{\"id\":1,\"p\":1.234}'|TOO_MANY_DIGITS|line 1: p: 1.234 has more than 2 decimals",
                "'{\"id\":1,\"a\":5}'|NOT_A_VALUE|line 1: a: expected a string, got a number",
                "'{\"id\":1,\"ok\":1}'|NOT_A_VALUE|line 1: ok: expected true or false, got a number",
                "'{\"id\":true}'|NOT_A_VALUE|line 1: id: expected a number, got true",
                "'{\"id\":[1]}'|NOT_A_VALUE|line 1: id: expected a number, got an object or array",
                "'{\"id\":1,\"a\":\"123456789\"}'|BAD_TEXT|line 1: a: longer than 8 characters",
                "'{\"id\":1,\"a\":\"a\\nb\"}'|BAD_TEXT|line 1: a: contains the control character U+000A",
                "'{\"id\":1,\"a\":\"a\nb\"}'|MALFORMED|line 1: a: a control character inside a string (escape it)",
                "'{\"id\":1,\"a\":\"\\ud800\"}'|MALFORMED|line 1: a: an unpaired surrogate",
                "'{\"id\":1,\"a\":\"\\x\"}'|MALFORMED|line 1: a: an invalid escape \\x",
                "'{\"id\":1,\"a\":\"abc'|MALFORMED|line 1: a: unterminated string",
                "'{\"id\":1'|MALFORMED|line 1: expected , or } after id",
                "'{\"id\":1}{\"id\":2}'|MALFORMED|line 1: a record must end its line",
                "'[{\"id\":1}]'|MALFORMED|line 1: expected a JSON object",
                "'{id:1}'|MALFORMED|line 1: expected a key in quotes",
                "'{\"id\" 1}'|MALFORMED|line 1: expected : after a key",
                "'{\"id\":1}\n\n{\"id\":x}'|MALFORMED|line 3: id: not a JSON value",
                "'{\"id\":1,\"t\":\"2026-01-01T00:00:00\"}'|NO_OFFSET|line 1: t: 2026-01-01T00:00:00 has no offset (Z or +hh:mm) and the stream declares no time-zone",
            })
    void rejectsNamingTheLineTheFieldAndTheReason(String body, Problem problem, String detail) {
        var r = bad(S, body);
        assertThat(r.detail()).isEqualTo(detail);
        assertThat(r.problem()).isEqualTo(problem);
    }

    @Test
    void encodesWhatItDecodes() {
        var b = ok(S, "{\"id\":1,\"a\":\"x\\\"y\",\"p\":1.5,\"ok\":false,\"d\":\"2026-01-31\",\"t\":0}\n{\"id\":2}");
        String json = new String(S.codec().encode(b), StandardCharsets.UTF_8);
        assertThat(json)
                .isEqualTo("{\"id\":1,\"a\":\"x\\\"y\",\"p\":1.50,\"ok\":false,\"d\":\"2026-01-31\","
                        + "\"t\":\"1970-01-01T00:00:00.000Z\"}\n{\"id\":2}");
        var again = ok(S, json);
        for (int i = 0; i < b.size(); i++) assertThat(again.sameRecord(i, b, i)).isTrue();
    }

    @Property(tries = 3000)
    void anyBytesGetExactlyOneOutcomeAndNeverThrow(@ForAll byte[] body) {
        assertThat(S.codec().decode(body, 100)).isNotNull();
        assertThat(stream("id:int64?", "format", "json", "unknown-fields", "ignore")
                        .codec()
                        .decode(body, 100))
                .isNotNull();
    }

    @Property(tries = 2000)
    void anyTextNearJsonGetsExactlyOneOutcome(@ForAll("nearJson") String body) {
        assertThat(S.codec().decode(body.getBytes(StandardCharsets.UTF_8), 100)).isNotNull();
    }

    @net.jqwik.api.Provide
    net.jqwik.api.Arbitrary<String> nearJson() {
        return net.jqwik.api.Arbitraries.strings()
                .withChars("{}[]\":,.-+eE0123456789 \n\\utrfalsnid")
                .ofMaxLength(40);
    }
}
