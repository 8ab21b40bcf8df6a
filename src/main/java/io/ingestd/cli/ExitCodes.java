package io.ingestd.cli;

/**
 * Exit codes. start/stop/status follow LSB (init-script actions); the daemon's start-up phases add their own
 * (see {@link io.ingestd.daemon.Phase}). The README's table is the reference.
 */
final class ExitCodes {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int NOT_PERMITTED = 4;
    static final int NOT_CONFIGURED = 6;
    static final int NOT_RUNNING = 7;
    static final int STATUS_DEAD = 1;
    static final int STATUS_NOT_RUNNING = 3;
    static final int STATUS_UNKNOWN = 4;

    private ExitCodes() {}
}
