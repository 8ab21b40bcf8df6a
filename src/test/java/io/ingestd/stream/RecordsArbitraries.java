package io.ingestd.stream;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** Valid records of {@link #STREAM} as CSV lines, for the round-trip properties of the codecs and the spool. */
final class RecordsArbitraries {
    static final Stream STREAM = Streams.stream(
            "id:int64, name:text(12)?, price:decimal(18,5)?, big:decimal(38,10)?, ok:boolean?, day:date?,"
                    + " at:timestamp?, note:text(3)");

    private RecordsArbitraries() {}

    static Arbitrary<String> line() {
        Arbitrary<String> id = Arbitraries.longs().map(String::valueOf);
        Arbitrary<String> name = optional(Arbitraries.strings()
                .withCharRange(' ', '~')
                .withChars("äß€")
                .ofMaxLength(12)
                .filter(s -> s.codePointCount(0, s.length()) <= 12)
                .map(RecordsArbitraries::quoted));
        Arbitrary<String> price = optional(Arbitraries.longs()
                .between(-999_999_999_999_999_999L, 999_999_999_999_999_999L)
                .map(u -> BigDecimal.valueOf(u, 5).toPlainString()));
        Arbitrary<String> big = optional(Arbitraries.bigIntegers()
                .between(
                        BigInteger.TEN.pow(38).negate().add(BigInteger.ONE),
                        BigInteger.TEN.pow(38).subtract(BigInteger.ONE))
                .map(u -> new BigDecimal(u, 10).toPlainString()));
        Arbitrary<String> ok = optional(Arbitraries.of("true", "false"));
        Arbitrary<String> day =
                optional(Arbitraries.longs().between(-719_162, 2_932_896).map(d -> LocalDate.ofEpochDay(d)
                        .toString()));
        Arbitrary<String> at = optional(Arbitraries.longs()
                .between(-62_135_596_800_000L, 253_402_300_799_999L)
                .map(ms -> Instant.ofEpochMilli(ms).toString()));
        Arbitrary<String> note =
                Arbitraries.strings().withCharRange('a', 'c').ofMaxLength(3).map(RecordsArbitraries::quoted);
        return Combinators.combine(List.of(id, name, price, big, ok, day, at, note))
                .as(parts -> String.join(",", parts));
    }

    static Arbitrary<String> message() {
        return line().list().ofMinSize(1).ofMaxSize(8).map(lines -> String.join("\n", lines));
    }

    private static Arbitrary<String> optional(Arbitrary<String> value) {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(4, value), net.jqwik.api.Tuple.of(1, Arbitraries.just("")));
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }

    static List<String> values(Batch b, int row) {
        var out = new ArrayList<String>();
        for (int f = 0; f < b.fields().size(); f++) out.add(String.valueOf(b.value(row, f)));
        return out;
    }
}
