package io.ingestd.daemon;

import io.ingestd.posix.Posix;

import java.io.PrintStream;

/**
 * The daemon's side of the readiness channel: one line on the pipe {@code start} waits on. After READY (not before:
 * start-up does not wait for linking these functions), stdin (the configuration's pipe, read to its end), stdout
 * and stderr go to /dev/null, which closes the pipe and lets {@code start} exit. After FAILED they stay: the daemon
 * is exiting, and the pipe's end is how {@code start} knows it is gone (its PID lock and files released).
 */
final class PipeReadiness implements Readiness {
    static final String READY = "INGESTD-READY ";
    static final String FAILED = "INGESTD-FAILED ";
    /** The first line: the daemon's pid, for a {@code start} that launched it through another process. */
    static final String PID = "INGESTD-PID ";

    private final PrintStream out;

    PipeReadiness(PrintStream out) {
        this.out = out;
        out.println(PID + ProcessHandle.current().pid());
    }

    @Override
    public void ready(String summary) {
        out.println(READY + ProcessHandle.current().pid() + " " + summary);
        detachOutput();
    }

    @Override
    public void failed(Phase phase, String message) {
        out.println(FAILED + phase.name() + " " + message.replace('\n', ' '));
        out.flush();
    }

    private void detachOutput() {
        out.flush();
        System.err.flush();
        int devNull = Posix.open("/dev/null", Posix.O_RDWR, 0);
        Posix.dup2(devNull, 0);
        Posix.dup2(devNull, 1);
        Posix.dup2(devNull, 2);
        Posix.close(devNull);
    }
}
