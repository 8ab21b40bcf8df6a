package io.ingestd;

/**
 * Every exit code of {@code ingestd}, with the commands that return it and what it means: the one list the CLI, the
 * daemon and the tests use, and from which the README's table is generated ({@code bin/ingestd exit-codes}).
 * start/stop/status follow LSB (init-script actions); the start-up phases that LSB has no code for use the range
 * it leaves to applications (150-199).
 */
public enum ExitCode {
    OK(0, "all", "success; `start` when already running; `stop` when not running (LSB)"),
    FAILED(
            1,
            "start, stop, restart, reload, reopen-logs, run, send, replay, bench, keygen",
            "generic failure; `send`/`bench`/`replay`: some records were rejected or not acknowledged (`replay`: or an "
                    + "entry could not be replayed whole); `reload`: refused; `stop`/`restart`: the daemon did not "
                    + "stop within `--timeout` and was killed (SIGKILL)"),
    STATUS_DEAD(1, "status", "dead, but the PID file remains"),
    USAGE(2, "all", "invalid arguments or option values (the option is named)"),
    STATUS_NOT_RUNNING(3, "status", "not running"),
    NOT_PERMITTED(
            4,
            "start, stop, reload, reopen-logs",
            "insufficient privilege (privilege drop failed, cannot signal the daemon, cannot read its PID file, the "
                    + "control socket refused the request); `stop`: the PID file is a link or names another process"),
    STATUS_UNKNOWN(
            4,
            "status",
            "unknown: the PID file cannot be read (permission denied), the daemon runs but does "
                    + "not answer on its control socket within 5 s (`not responding`: stopped by SIGSTOP, hung), or the "
                    + "configuration cannot be read"),
    NOT_INSTALLED(5, "all", "not installed: no Java 25, or the build failed (returned by the launcher `bin/ingestd`)"),
    NOT_CONFIGURED(
            6,
            "start, run, restart, check-config, send, replay, bench, stop, reload, reopen-logs",
            "not configured: invalid configuration (each problem printed with its key); for stop only when "
                    + "the PID file cannot be located (`data.dir`, `pid.file`, or the configuration file unreadable)"),
    NOT_RUNNING(7, "reload, reopen-logs", "not running"),
    LOCK_FAILED(150, "start", "cannot create or lock the PID file"),
    BIND_FAILED(
            151,
            "start",
            "cannot bind a listen endpoint (e.g. address in use), the metrics endpoint or the control socket"),
    DATABASE_FAILED(
            152,
            "start",
            "database unreachable, migration failed, or the table is not ingestd's or cannot hold its records (see Storage)"),
    COMPONENT_FAILED(
            153,
            "run, and the daemon process under systemd",
            "a thread of the running daemon failed; what it held was answered RETRY and the daemon stopped (see the log)");

    private final int code;
    private final String commands;
    private final String meaning;

    ExitCode(int code, String commands, String meaning) {
        this.code = code;
        this.commands = commands;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    /** The README's exit-code table. */
    public static String markdownTable() {
        var sb = new StringBuilder("| code | command | meaning |\n|---|---|---|\n");
        for (ExitCode e : values()) {
            sb.append("| ")
                    .append(e.code)
                    .append(" | ")
                    .append(e.commands)
                    .append(" | ")
                    .append(e.meaning)
                    .append(" |\n");
        }
        return sb.toString();
    }
}
