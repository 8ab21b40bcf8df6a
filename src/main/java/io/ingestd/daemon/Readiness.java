package io.ingestd.daemon;

/** Where the daemon reports that it is ready, or why it is not: the start pipe, systemd, or the console. */
public interface Readiness {
    void ready(String summary);

    void failed(Phase phase, String message);
}
