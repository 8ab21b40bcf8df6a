package io.ingestd.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

class JsonTest {
    @Test
    void quoteEscapesQuotesBackslashesAndControlCharacters() {
        assertThat(Json.quote("a\"b\\c\nd\re\tf\u0001g")).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\"");
    }

    @Test
    void quoteKeepsNonAsciiCharactersAsTheyAre() {
        assertThat(Json.quote("Zürich €")).isEqualTo("\"Zürich €\"");
    }

    @Test
    void bytesShowEveryNonPrintableByteAsUnicodeEscape() {
        byte[] b = {'o', 'k', ',', 0x00, (byte) 0xff, 0x7f, '"', '\\', '\n'};
        assertThat(Json.escapeBytes(new StringBuilder(), b, Integer.MAX_VALUE))
                .hasToString("ok,\\u0000\\u00ff\\u007f\\\"\\\\\\n");
    }

    @Test
    void bytesAreCutAtTheLimit() {
        byte[] b = "1,alice,2.5".getBytes(StandardCharsets.US_ASCII);
        assertThat(Json.escapeBytes(new StringBuilder(), b, 7)).hasToString("1,alice");
    }
}
