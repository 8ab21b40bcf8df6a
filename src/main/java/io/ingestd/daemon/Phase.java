package io.ingestd.daemon;

/**
 * The start-up phases, in order, each with the exit code {@code ingestd start} returns when the daemon fails in
 * it. LSB codes where one fits (6 = not configured, 4 = insufficient privilege), otherwise the range LSB leaves
 * to applications (150-199).
 */
public enum Phase {
    CONFIG(6), LOCK(150), BIND(151), DATABASE(152), PRIVILEGES(4), STARTUP(1);

    public final int exitCode;

    Phase(int exitCode) { this.exitCode = exitCode; }

    public String label() { return name().toLowerCase(java.util.Locale.ROOT); }
}
