package io.ingestd.daemon;

import org.jspecify.annotations.Nullable;

import java.util.Objects;

/** Start-up failed in a phase; the message is what the user sees, one line that says what and what to do. */
public final class StartupFailure extends Exception {
    private final Phase phase;
    private final String message;

    /** {@code message} may come from an exception that has none: the cause's class then says what failed. */
    public StartupFailure(Phase phase, @Nullable String message, @Nullable Throwable cause) {
        super(message, cause);
        this.phase = phase;
        this.message = Objects.requireNonNullElse(
                message,
                cause == null ? "failed without a message" : cause.getClass().getSimpleName());
    }

    public StartupFailure(Phase phase, @Nullable String message) {
        this(phase, message, null);
    }

    public Phase phase() {
        return phase;
    }

    /** What the user sees; never null. */
    public String message() {
        return message;
    }
}
