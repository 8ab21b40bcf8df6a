package io.ingestd.protocol;

import java.nio.charset.StandardCharsets;

/** The answer to one request message; its wire form is one frame of ASCII text. */
public sealed interface Reply {

    /** Every record of the message is committed (or was already stored, identically). */
    record Ack() implements Reply {
        /** The one instance answers every committed message (no allocation per reply). */
        public static final Ack INSTANCE = new Ack();
    }

    /** The message is invalid or conflicts with stored data; nothing of it was written. */
    record Reject(Reason reason, String detail) implements Reply {}

    /** The message could not be committed now; the sender may send it again unchanged. */
    record Retry(String detail) implements Reply {}

    byte[] TRUE = "TRUE".getBytes(StandardCharsets.US_ASCII);

    /** The reply frame: {@code TRUE}, {@code FALSE <reason>} or {@code RETRY <reason>}. */
    default byte[] wire() {
        return switch (this) {
            case Ack a -> TRUE;
            case Reject r -> ("FALSE " + r.detail()).getBytes(StandardCharsets.UTF_8);
            case Retry r -> ("RETRY " + r.detail()).getBytes(StandardCharsets.UTF_8);
        };
    }

    /** Why a message was rejected; the label of the rejection metrics and the reject log. */
    enum Reason {
        EMPTY,
        TOO_LARGE,
        TOO_MANY_RECORDS,
        NOT_UTF8,
        FIELD_COUNT,
        NOT_A_NUMBER,
        NEGATIVE,
        ZERO,
        OUT_OF_RANGE,
        TOO_MANY_DIGITS,
        ENVELOPE,
        TOO_MANY_PENDING,
        CONFLICT,
        KEY_REVOKED;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static Reject reject(Reason reason, String detail) {
        return new Reject(reason, detail);
    }
}
