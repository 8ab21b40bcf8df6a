package io.ingestd.stream;

import static io.ingestd.stream.Streams.error;
import static io.ingestd.stream.Streams.value;
import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;

class FieldTypesTest {

    @Test
    void int64TakesTheWholeRangeAndSurroundingSpaces() {
        assertThat(value("int64", "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(value("int64", "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(value("int64", " 007\t")).isEqualTo(7L);
        assertThat(value("int64", "-0")).isEqualTo(0L);
    }

    @Test
    void decimalsAreExactAtTheirScale() {
        assertThat(value("decimal(18,5)", "1.5")).isEqualTo(new BigDecimal("1.50000"));
        assertThat(value("decimal(18,2)", "-1234567890123456.78")).isEqualTo(new BigDecimal("-1234567890123456.78"));
        assertThat(value("decimal(4,4)", "0.1234")).isEqualTo(new BigDecimal("0.1234"));
        assertThat(value("decimal(3,0)", "000999")).isEqualTo(new BigDecimal("999"));
        assertThat(value("decimal(38,10)", "1234567890123456789012345678.0123456789"))
                .isEqualTo(new BigDecimal("1234567890123456789012345678.0123456789"));
        assertThat(value("decimal(38,0)", "-99999999999999999999999999999999999999"))
                .isEqualTo(new BigDecimal("-99999999999999999999999999999999999999"));
    }

    @Test
    void textCountsCharactersNotBytes() {
        assertThat(value("text(3)", "äöü")).isEqualTo("äöü");
        assertThat(value("text(2)", "\uD83D\uDE00x")).isEqualTo("\uD83D\uDE00x");
        assertThat(value("text(8)", "  a b  ")).isEqualTo("  a b  ");
    }

    @Test
    void booleansDatesAndTimestamps() {
        assertThat(value("boolean", "true")).isEqualTo(true);
        assertThat(value("boolean", " false ")).isEqualTo(false);
        assertThat(value("date", "2024-02-29")).isEqualTo(LocalDate.of(2024, 2, 29));
        assertThat(value("date", "0001-01-01")).isEqualTo(LocalDate.of(1, 1, 1));
        assertThat(value("timestamp", "2026-03-01T12:34:56.789Z")).isEqualTo(Instant.parse("2026-03-01T12:34:56.789Z"));
        assertThat(value("timestamp", "2026-03-01T12:34:56+02:00")).isEqualTo(Instant.parse("2026-03-01T10:34:56Z"));
        assertThat(value("timestamp", "2026-03-01 12:34:56.5-01:30"))
                .isEqualTo(Instant.parse("2026-03-01T14:04:56.500Z"));
        assertThat(value("timestamp", "2026-03-01T12:34:56.789000000Z"))
                .isEqualTo(Instant.parse("2026-03-01T12:34:56.789Z"));
        assertThat(value("timestamp", "1772368496789")).isEqualTo(Instant.ofEpochMilli(1772368496789L));
        assertThat(value("timestamp", "-1000")).isEqualTo(Instant.parse("1969-12-31T23:59:59Z"));
    }

    @Test
    void aTimestampWithoutOffsetIsReadInTheStreamsTimeZone() {
        assertThat(value("timestamp", "2026-07-01T12:00:00", "time-zone", "Europe/Berlin"))
                .isEqualTo(Instant.parse("2026-07-01T10:00:00Z"));
        assertThat(value("timestamp", "2026-07-01T12:00:00Z", "time-zone", "Europe/Berlin"))
                .isEqualTo(Instant.parse("2026-07-01T12:00:00Z"));
        assertThat(value("timestamp", "2026-01-01T00:00:00", "time-zone", "UTC"))
                .isEqualTo(Instant.parse("2026-01-01T00:00:00Z"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "int64|x|line 1: v: x is not an integer",
                "int64|1.0|line 1: v: 1.0 is not an integer",
                "int64|+1|line 1: v: +1 is not an integer",
                "int64|1 2|line 1: v: 1 2 is not an integer",
                "int64|-|line 1: v: - is not an integer",
                "int64|9223372036854775808|line 1: v: 9223372036854775808 is out of range for int64",
                "int64|-9223372036854775809|line 1: v: -9223372036854775809 is out of range for int64",
                "int64 >= 1|0|line 1: v: 0 is less than the minimum 1",
                "decimal(18,5)|1.123456|line 1: v: 1.123456 has more than 5 decimals",
                "decimal(18,5)|1.100000|line 1: v: 1.100000 has more than 5 decimals",
                "decimal(5,2)|1234.5|line 1: v: 1234.5 has more than 3 integer digits",
                "decimal(4,4)|1.5|line 1: v: 1.5 has more than 0 integer digits",
                "decimal(18,2)|1e5|line 1: v: 1e5 is not a decimal number",
                "decimal(18,2)|.5|line 1: v: .5 is not a decimal number",
                "decimal(18,2)|5.|line 1: v: 5. is not a decimal number",
                "decimal(18,2)|1,5|line 1: expected 1 fields v, got 2",
                "decimal(18,2)|NaN|line 1: v: NaN is not a decimal number",
                "decimal(18,2) >= 0|-0.01|line 1: v: -0.01 is less than the minimum 0",
                "decimal(38,2) >= 0.5|0.49|line 1: v: 0.49 is less than the minimum 0.5",
                "decimal(38,2)|1.234|line 1: v: 1.234 has more than 2 decimals",
                "text(16)|abcdefghijklmnopq|line 1: v: longer than 16 characters",
                "text(16)|a\u0001b|line 1: v: contains the control character U+0001",
                "text(16)|a\u007fb|line 1: v: contains the control character U+007F",
                "text(16)|a\u0085b|line 1: v: contains the control character U+0085",
                "text(16)|'\"a\nb\"'|line 1: v: contains the control character U+000A",
                "boolean|yes|line 1: v: yes is not true or false",
                "boolean|TRUE|line 1: v: TRUE is not true or false",
                "date|2023-02-29|line 1: v: 2023-02-29 is not a date (yyyy-mm-dd)",
                "date|2023-1-01|line 1: v: 2023-1-01 is not a date (yyyy-mm-dd)",
                "date|0000-01-01|line 1: v: 0000-01-01 is not a date (yyyy-mm-dd)",
                "timestamp|2026-03-01T12:34:56|line 1: v: 2026-03-01T12:34:56 has no offset (Z or +hh:mm) and the stream declares no time-zone",
                "timestamp|2026-03-01T12:34:56.7891Z|line 1: v: 2026-03-01T12:34:56.7891Z has more than millisecond precision",
                "timestamp|2026-03-01T24:00:00Z|line 1: v: 2026-03-01T24:00:00Z is not a timestamp (ISO-8601 with an offset or Z, or epoch milliseconds)",
                "timestamp|2026-03-01T12:34Z|line 1: v: 2026-03-01T12:34Z is not a timestamp (ISO-8601 with an offset or Z, or epoch milliseconds)",
                "timestamp|2026-03-01T12:34:56+0200|line 1: v: 2026-03-01T12:34:56+0200 is not a timestamp (ISO-8601 with an offset or Z, or epoch milliseconds)",
                "timestamp|2026-03-01T12:34:56.Z|line 1: v: 2026-03-01T12:34:56.Z is not a timestamp (ISO-8601 with an offset or Z, or epoch milliseconds)",
                "timestamp|1.5|line 1: v: 1.5 is not a timestamp (ISO-8601 with an offset or Z, or epoch milliseconds)",
                "timestamp|253402300800000|line 1: v: 253402300800000 is outside the years 0001 to 9999 (UTC)",
                "timestamp|0001-01-01T00:00:00+01:00|line 1: v: 0001-01-01T00:00:00+01:00 is outside the years 0001 to 9999 (UTC)",
            })
    void rejectsNamingTheLineTheFieldAndTheReason(String type, String csv, String detail) {
        assertThat(error(type, csv)).isEqualTo(detail);
    }

    @Test
    void aTimeTheZoneSkipsOrRepeatsIsRejected() {
        assertThat(error("timestamp", "2026-03-29T02:30:00", "time-zone", "Europe/Berlin"))
                .isEqualTo("line 1: v: 2026-03-29T02:30:00 does not exist in Europe/Berlin"
                        + " (skipped by a daylight-saving change; add an offset)");
        assertThat(error("timestamp", "2026-10-25T02:30:00", "time-zone", "Europe/Berlin"))
                .isEqualTo("line 1: v: 2026-10-25T02:30:00 is ambiguous in Europe/Berlin"
                        + " (repeated by a daylight-saving change; add an offset)");
    }

    @Test
    void aLongValueIsShownCutAndEscaped() {
        assertThat(error("int64", "1".repeat(50)))
                .isEqualTo("line 1: v: " + "1".repeat(40) + "... is out of range for int64");
        assertThat(error("int64", "a\rb")).isEqualTo("line 1: v: a\\x0db is not an integer");
    }

    @Property(tries = 500)
    void everyInt64ReadsBackFromItsText(@ForAll long v) {
        assertThat(value("int64", Long.toString(v))).isEqualTo(v);
    }

    @Property(tries = 500)
    void everyDecimalOfItsPrecisionReadsBackExactly(
            @ForAll @LongRange(min = -99_999_999_999_999_999L, max = 99_999_999_999_999_999L) long unscaled) {
        var d = BigDecimal.valueOf(unscaled, 5);
        assertThat(value("decimal(17,5)", d.toPlainString())).isEqualTo(d);
        assertThat(value("decimal(38,5)", d.toPlainString())).isEqualTo(d);
    }

    @Property(tries = 500)
    void everyTimestampReadsBackFromItsIsoTextAndItsMillis(
            @ForAll @LongRange(min = -62_135_596_800_000L, max = 253_402_300_799_999L) long millis) {
        var instant = Instant.ofEpochMilli(millis);
        assertThat(value("timestamp", Long.toString(millis))).isEqualTo(instant);
        assertThat(value("timestamp", instant.toString())).isEqualTo(instant);
    }

    @Property(tries = 300)
    void everyDateReadsBackFromItsText(@ForAll @LongRange(min = -719_162, max = 2_932_896) long epochDay) {
        var date = LocalDate.ofEpochDay(epochDay);
        assertThat(value("date", date.toString())).isEqualTo(date);
    }

    @Property(tries = 300)
    void everyTextWithoutControlCharactersReadsBackAsItIs(
            @ForAll @StringLength(min = 1, max = 20) @CharRange(from = ' ', to = '\uD7FF') String s) {
        Assume.that(!s.isBlank() && s.indexOf(',') < 0 && s.indexOf('"') < 0);
        Assume.that(s.chars().noneMatch(Character::isISOControl));
        assertThat(value("text(20)", s)).isEqualTo(s);
    }
}
