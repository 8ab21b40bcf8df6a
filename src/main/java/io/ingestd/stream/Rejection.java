package io.ingestd.stream;

/**
 * Why a message was refused: a kind for metrics and replies, and one line that names the record, the field and
 * the reason ({@code line 3: price: 1.123456 has more than 5 decimals}).
 */
public record Rejection(Problem problem, String detail) {

    /** The kinds of refusal; the listener maps them onto its reply reasons. */
    public enum Problem {
        EMPTY,
        TOO_MANY_RECORDS,
        NOT_UTF8,
        /** The CSV or JSON itself is malformed (an unterminated quote, a missing brace). */
        MALFORMED,
        FIELD_COUNT,
        UNKNOWN_FIELD,
        DUPLICATE_FIELD,
        /** A required field is empty, null or absent. */
        MISSING,
        /** The text is not a value of the field's type at all ({@code x} for an int64). */
        NOT_A_VALUE,
        /** Too many integer digits or decimals for a decimal; never rounded. */
        TOO_MANY_DIGITS,
        /** Outside the type's range or below the field's declared minimum. */
        OUT_OF_RANGE,
        /** A text longer than declared, or holding a control character. */
        BAD_TEXT,
        /** A timestamp without an offset, or a local time the stream's time zone skips or repeats. */
        NO_OFFSET
    }

    Rejection at(String where) {
        return new Rejection(problem, where + detail);
    }
}
