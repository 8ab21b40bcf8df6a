package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.daemon.ControlServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Tells the running daemon to reopen its log files, for logrotate's postrotate. It asks over the control socket,
 * which checks who asks, instead of signalling a pid read from a file the daemon's user can write: a root script
 * that did {@code kill -USR1 "$(cat PIDFILE)"} could be made to signal any process, or all of them ({@code -1}).
 */
@Command(
        name = "reopen-logs",
        description = "Make the running daemon reopen its log files (after logrotate moved them).")
final class ReopenLogsCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var loaded = LifecycleCommands.loadOrReport(config, err);
        if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
        Path sock = ControlServer.pathFor(loaded.config().paths().pidFile());
        return switch (ControlServer.query(sock, "reopen-logs", ControlServer.ANSWER_DEADLINE)) {
            case ControlServer.Answer.Answered(String text)
            when text.equals("reopened") -> {
                out.println("ingestd reopened its log files");
                yield ExitCode.OK.code();
            }
            case ControlServer.Answer.Answered(String text) -> {
                err.println("ingestd: reopen-logs " + text);
                yield ExitCode.NOT_PERMITTED.code();
            }
            case ControlServer.Answer.NoDaemon() -> {
                err.println("ingestd: not running (no daemon answers on " + sock + "); no log to reopen");
                yield ExitCode.NOT_RUNNING.code();
            }
            case ControlServer.Answer.NotResponding(var waited) -> {
                err.println("ingestd: the daemon did not answer on " + sock + " within " + waited.toSeconds()
                        + " s; see its log");
                yield ExitCode.FAILED.code();
            }
        };
    }
}
