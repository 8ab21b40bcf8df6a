package io.ingestd.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.protocol.RecordParser;
import io.ingestd.protocol.Records;
import io.ingestd.stream.RecordCodec.Decoded;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;

/**
 * The fee stream declared in the model takes exactly the fee lines that today's {@link RecordParser} takes,
 * with the same values: the wiring can swap one for the other without a sender noticing.
 */
class FeeCompatibilityTest {
    static final Stream FEE = StreamDeclarations.fee("fee", "tcp://127.0.0.1:5555");
    static final int MAX_RECORDS = 10_000;

    @Property(tries = 10_000)
    void acceptsAndRejectsWhatRecordParserDoesWithTheSameValues(@ForAll("feeMessages") String message) {
        byte[] body = message.getBytes(StandardCharsets.UTF_8);
        var old = RecordParser.parse(body, Integer.MAX_VALUE, MAX_RECORDS);
        var now = FEE.codec().decode(body, MAX_RECORDS);
        Statistics.collect(old instanceof RecordParser.Result.Parsed ? "accepted" : "rejected");
        switch (old) {
            case RecordParser.Result.Parsed(var records) -> {
                assertThat(now).as("model rejects what RecordParser takes").isInstanceOf(Decoded.Parsed.class);
                assertSameValues(records, ((Decoded.Parsed) now).batch());
            }
            case RecordParser.Result.Invalid(var reject) ->
                assertThat(now).as("RecordParser: " + reject.detail()).isInstanceOf(Decoded.Invalid.class);
        }
    }

    private static void assertSameValues(Records records, Batch batch) {
        assertThat(batch.size()).isEqualTo(records.size());
        for (int i = 0; i < records.size(); i++) {
            assertThat(batch.column(0).longAt(i)).isEqualTo(records.ticket(i));
            assertThat(batch.column(1).longAt(i)).isEqualTo(records.login(i));
            // the same fixed point: units of 10^-4 in a long
            assertThat(batch.column(2).longAt(i)).isEqualTo(records.volumeUnits(i));
        }
    }

    /**
     * Fee messages as senders write them, right and wrong: numbers near the limits, signs, zeros, spaces, tabs,
     * CR/LF, empty lines, missing and extra fields, letters. Quotes are left out: the model reads RFC 4180
     * quoting, which the fee protocol never had (see {@link #quotedFeeFieldsAreNewlyAccepted()}).
     */
    @Provide
    Arbitrary<String> feeMessages() {
        Arbitrary<String> number = Arbitraries.oneOf(
                Arbitraries.longs().between(0, Long.MAX_VALUE).map(String::valueOf),
                Arbitraries.of(
                        "0",
                        "-0",
                        "1",
                        "-1",
                        "00",
                        "007",
                        "9223372036854775807",
                        "9223372036854775808",
                        "-9223372036854775808",
                        "99999999999999",
                        "99999999999999.9999",
                        "100000000000000",
                        "0.0001",
                        "0.00001",
                        "1.0000",
                        "1.00000",
                        "-0.0",
                        "-0.0001",
                        ".5",
                        "5.",
                        "1e5",
                        "+1",
                        "",
                        " ",
                        "x",
                        "1 2",
                        "00000000000000000001.5",
                        "-",
                        "1..2",
                        "1.2.3",
                        "\t3\t",
                        " 4 "),
                Arbitraries.strings().withChars("0123456789.-").ofMinLength(1).ofMaxLength(22));
        Arbitrary<String> separator = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(12, Arbitraries.just(",")),
                net.jqwik.api.Tuple.of(1, Arbitraries.of(", ", " ,", ",,", ";", "")));
        Arbitrary<String> line = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(
                        20,
                        net.jqwik.api.Combinators.combine(number, separator, number, separator, number)
                                .as((a, s1, b, s2, c) -> a + s1 + b + s2 + c)),
                net.jqwik.api.Tuple.of(1, Arbitraries.of("", " ", "\t", "1,2", "1,2,3,4", "\r")));
        Arbitrary<String> end = Arbitraries.of("\n", "\n", "\n", "\r\n", "\r\n", "\r", "\n\n", "\r\r\n");
        return net.jqwik.api.Combinators.combine(
                        line.list().ofMinSize(1).ofMaxSize(4),
                        end.list().ofSize(4),
                        Arbitraries.of("", "\n", "\r\n", "\r", "\n\n", "\n\r", "\r\r"))
                .as((lines, ends, last) -> {
                    var sb = new StringBuilder();
                    for (int i = 0; i < lines.size(); i++) {
                        if (i > 0) sb.append(ends.get(i));
                        sb.append(lines.get(i));
                    }
                    return sb.append(last).toString();
                });
    }

    @Test
    void theGeneratorReachesTheEdgesOnBothSides() {
        // a hand-picked corpus next to the generated one, so the edges are compared on every run
        String[] lines = {
            "12345,678,0.01",
            "1,2,3\r\n4,5,6.5\r\n",
            "9223372036854775807,9223372036854775807,99999999999999.9999",
            "0,2,3",
            "1,-2,3",
            "1,2,-0",
            "1,2,-0.0000",
            "1,2,-3",
            "1,2,1.00001",
            "1,2,123456789012345",
            "1,2,1e5",
            "1,2,.5",
            "1,2,5.",
            "1,2,3\n\n4,5,6",
            "1,2,3\n",
            "1,2,3\n\n",
            "1,2,3\r\r",
            "1,2,3\n\r",
            " 1 ,\t2\t, 3 ",
            "1,2",
            "1,2,3,4",
            "",
            "  ",
            "\n",
            "1,2,3,",
            ",1,2",
            "9223372036854775808,1,1",
            "1,2,000000000000001.5",
            "1,2,3\r4",
            "-0,1,1"
        };
        for (String line : lines) {
            byte[] body = line.getBytes(StandardCharsets.UTF_8);
            var old = RecordParser.parse(body, Integer.MAX_VALUE, MAX_RECORDS);
            var now = FEE.codec().decode(body, MAX_RECORDS);
            assertThat(now instanceof Decoded.Parsed)
                    .as(line.replace("\n", "\\n").replace("\r", "\\r"))
                    .isEqualTo(old instanceof RecordParser.Result.Parsed);
        }
    }

    @Test
    void quotedFeeFieldsAreNewlyAccepted() {
        byte[] body = "\"1\",\"2\",\"0.5\"".getBytes(StandardCharsets.UTF_8);
        assertThat(RecordParser.parse(body, 1000, 10)).isInstanceOf(RecordParser.Result.Invalid.class);
        var batch = ((Decoded.Parsed) FEE.codec().decode(body, 10)).batch();
        assertThat(batch.value(0, 2)).isEqualTo(new BigDecimal("0.5000"));
    }

    @Test
    void feeMessagesNameTheLineAndTheField() {
        assertThat(Streams.bad(FEE, "0,2,3").detail()).isEqualTo("line 1: ticket: 0 is less than the minimum 1");
        assertThat(Streams.bad(FEE, "1,2,-3").detail()).isEqualTo("line 1: volume: -3 is less than the minimum 0");
        assertThat(Streams.bad(FEE, "1,2,1.00001").detail())
                .isEqualTo("line 1: volume: 1.00001 has more than 4 decimals");
        assertThat(Streams.bad(FEE, "1,2").detail()).isEqualTo("line 1: expected 3 fields ticket,login,volume, got 2");
        assertThat(Streams.bad(FEE, "").detail()).isEqualTo("empty message (expected ticket,login,volume)");
    }
}
