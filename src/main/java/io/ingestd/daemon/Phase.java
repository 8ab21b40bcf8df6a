package io.ingestd.daemon;

import io.ingestd.ExitCode;

import java.util.Locale;

/** The start-up phases, in order, each with the exit code {@code ingestd start} returns when the daemon fails in it. */
public enum Phase {
    CONFIG(ExitCode.NOT_CONFIGURED),
    LOCK(ExitCode.LOCK_FAILED),
    BIND(ExitCode.BIND_FAILED),
    DATABASE(ExitCode.DATABASE_FAILED),
    PRIVILEGES(ExitCode.NOT_PERMITTED),
    STARTUP(ExitCode.FAILED);

    public final ExitCode exitCode;

    Phase(ExitCode exitCode) {
        this.exitCode = exitCode;
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
