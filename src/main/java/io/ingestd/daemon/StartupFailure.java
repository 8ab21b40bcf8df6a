package io.ingestd.daemon;

/** Start-up failed in a phase; the message is what the user sees, one line that says what and what to do. */
public final class StartupFailure extends Exception {
    private final Phase phase;

    public StartupFailure(Phase phase, String message, Throwable cause) {
        super(message, cause);
        this.phase = phase;
    }

    public StartupFailure(Phase phase, String message) {
        this(phase, message, null);
    }

    public Phase phase() {
        return phase;
    }
}
