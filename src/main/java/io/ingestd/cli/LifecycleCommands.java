package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import io.ingestd.daemon.ControlServer;
import io.ingestd.daemon.Daemon;
import io.ingestd.daemon.Detach;
import io.ingestd.daemon.ForegroundReadiness;
import io.ingestd.daemon.Phase;
import io.ingestd.daemon.PidFile;
import io.ingestd.daemon.ProcessIdentity;
import io.ingestd.daemon.ReloadRequest;
import io.ingestd.daemon.RunningDaemons;
import io.ingestd.log.Json;
import io.ingestd.posix.Posix;
import io.ingestd.posix.PosixException;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** start, stop, status, restart, run, reload: the daemon's lifecycle from the command line. */
final class LifecycleCommands {
    private LifecycleCommands() {}

    /**
     * For commands that act on a running daemon: only its PID file is needed, so problems elsewhere in the
     * configuration are printed as warnings. Returns null (after printing why) if the PID file cannot be located.
     */
    static @Nullable Path locateOrReport(ConfigOptions options, PrintWriter err, String command) {
        try {
            var located = ConfigLoader.locate(options.source());
            located.otherProblems()
                    .forEach(p -> err.println("ingestd: warning: " + p + " (" + command
                            + " goes on: it needs only the PID file; fix this before the next start)"));
            return located.pidFile();
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("ingestd: " + p));
            return null;
        }
    }

    /** Loads the configuration or prints every problem (key named) and returns null. */
    static io.ingestd.config.ConfigLoader.@Nullable Loaded loadOrReport(ConfigOptions options, PrintWriter err) {
        try {
            return options.load();
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("ingestd: " + p));
            return null;
        }
    }

    @Command(name = "start", description = "Start the daemon in the background and wait until it is ready.")
    static final class Start implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--wait",
                defaultValue = "120",
                paramLabel = "SECONDS",
                description = "longest wait for the daemon to become ready (default: ${DEFAULT-VALUE})")
        long waitSeconds;

        /** The daemon's process, launched before this command was parsed; null: launch it once checked. */
        private final Detach.@Nullable Launch early;

        Start() {
            this(null);
        }

        Start(Detach.@Nullable Launch early) {
            this.early = early;
        }

        @Override
        public Integer call() throws IOException, ConfigException {
            return start(config, spec.commandLine().getOut(), spec.commandLine().getErr(), waitSeconds, early);
        }

        /**
         * Launches the daemon's process for the configuration file that {@code args} name ({@code -c}/{@code
         * --config}, else $INGESTD_CONFIG), before picocli parses them; null if it cannot be launched (start then
         * launches it after its checks, and reports a failure). A file named otherwise, which picocli still
         * understands, only costs this launch: start sees that it is not for its file and launches another.
         */
        static Detach.@Nullable Launch launchEarly(String[] args) {
            @Nullable String file = System.getenv("INGESTD_CONFIG");
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if ((a.equals("-c") || a.equals("--config")) && i + 1 < args.length) file = args[++i];
                else if (a.startsWith("--config=")) file = a.substring("--config=".length());
                else if (a.startsWith("-c") && !a.startsWith("--")) file = a.substring(a.startsWith("-c=") ? 3 : 2);
            }
            var path = java.util.Optional.ofNullable(file)
                    .filter(f -> !f.isEmpty())
                    .map(f -> Path.of("").toAbsolutePath().resolve(f).normalize());
            try {
                return Detach.launch(path);
            } catch (IOException | RuntimeException e) {
                return null; // start launches again once it has checked the configuration, and says what fails
            }
        }
    }

    static int start(
            ConfigOptions options, PrintWriter out, PrintWriter err, long waitSeconds, Detach.@Nullable Launch early)
            throws IOException, ConfigException {
        var loaded = loadOrReport(options, err);
        if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
        var config = loaded.config();
        if (PidFile.inspect(config.paths().pidFile()) instanceof PidFile.State.Running(var p)) {
            out.println("ingestd already running (pid " + p.pid() + ")");
            return ExitCode.OK.code();
        }
        var source = options.source();
        var wait = Duration.ofSeconds(waitSeconds);
        var outcome = early != null && early.isFor(source)
                ? Detach.start(early, source, System.getenv(), wait)
                : Detach.start(source, System.getenv(), wait);
        return switch (outcome) {
            case Detach.Outcome.Ready(long pid, String summary) -> {
                out.println("ingestd started (pid " + pid + "), " + summary);
                yield ExitCode.OK.code();
            }
            case Detach.Outcome.Failed(Phase phase, String message)
            when message.startsWith("already running") -> {
                out.println("ingestd " + message);
                yield ExitCode.OK.code();
            }
            case Detach.Outcome.Failed(Phase phase, String message) -> {
                err.println("ingestd failed to start (" + phase.label() + "): " + message);
                var logFile = config.paths().logDir().resolve("ingestd.log");
                if (java.nio.file.Files.isRegularFile(logFile)) err.println("  details: " + logFile);
                yield phase.exitCode.code();
            }
            case Detach.Outcome.Died(var code, var output) -> {
                err.println("ingestd exited" + (code.isPresent() ? " with code " + code.getAsInt() : "")
                        + " before it was ready; its output:");
                output.forEach(l -> err.println("  " + l));
                yield ExitCode.FAILED.code();
            }
            case Detach.Outcome.TimedOut(long pid, Duration waited) -> {
                if (pid == 0) {
                    err.println("ingestd did not become ready within " + waited.toSeconds()
                            + " s, nor report its pid (see ps for an ingestd __daemon process). See "
                            + config.paths().logDir().resolve("ingestd.log"));
                    yield ExitCode.FAILED.code();
                }
                err.println("ingestd (pid " + pid + ") did not become ready within " + waited.toSeconds()
                        + " s; stopping it. See " + config.paths().logDir().resolve("ingestd.log"));
                Posix.kill((int) pid, Posix.SIGTERM);
                yield ExitCode.FAILED.code();
            }
        };
    }

    @Command(name = "stop", description = "Stop the daemon: SIGTERM, wait for it to drain, SIGKILL after the timeout.")
    static final class Stop implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(
                names = "--timeout",
                defaultValue = "30",
                paramLabel = "SECONDS",
                description = "wait this long for a clean stop before SIGKILL (default: ${DEFAULT-VALUE})")
        long timeoutSeconds;

        @Override
        public Integer call() {
            if (timeoutSeconds < 1) return timeoutTooShort(spec.commandLine().getErr(), timeoutSeconds);
            Path pidFile = locateOrReport(config, spec.commandLine().getErr(), "stop");
            if (pidFile == null) return ExitCode.NOT_CONFIGURED.code();
            return stop(pidFile, spec.commandLine().getOut(), spec.commandLine().getErr(), timeoutSeconds);
        }
    }

    static int stop(Path pidFile, PrintWriter out, PrintWriter err, long timeoutSeconds) {
        switch (PidFile.inspect(pidFile)) {
            case PidFile.State.Unknown u -> {
                err.println("ingestd: cannot tell whether ingestd runs: " + u.reason());
                return ExitCode.NOT_PERMITTED.code();
            }
            case PidFile.State.NotRunning n -> {
                out.println("ingestd is not running");
                return ExitCode.OK.code();
            }
            case PidFile.State.Dead d -> {
                removeStale(pidFile);
                out.println("ingestd is not running (removed stale PID file " + pidFile + ")");
                return ExitCode.OK.code();
            }
            case PidFile.State.Running(ProcessIdentity p) -> {
                int r = stopProcess(p, out, err, timeoutSeconds, "");
                removeStale(pidFile);
                return r;
            }
        }
    }

    /** --timeout 0 or below would kill at once with no drain: a usage error, not a stop. */
    static int timeoutTooShort(PrintWriter err, long seconds) {
        err.println("ingestd: --timeout " + seconds + ": must be at least 1 second (the daemon needs time to drain; "
                + "SIGKILL comes only after it)");
        return ExitCode.USAGE.code();
    }

    /**
     * SIGTERM, wait for the drain, SIGKILL after the timeout: for that very process (pid and start time). Exit 1
     * when it had to kill.
     */
    static int stopProcess(ProcessIdentity p, PrintWriter out, PrintWriter err, long timeoutSeconds, String note) {
        try {
            Posix.kill(p.pid(), Posix.SIGTERM);
        } catch (PosixException e) {
            err.println("ingestd: cannot signal pid " + p.pid() + ": " + e.getMessage()
                    + " (run stop as root or as the daemon's user)");
            return ExitCode.NOT_PERMITTED.code();
        }
        long start = System.nanoTime();
        if (awaitExit(p, Duration.ofSeconds(timeoutSeconds))) {
            out.printf(
                    "ingestd stopped (pid %d, drained in %.1f s)%s%n",
                    p.pid(), (System.nanoTime() - start) / 1e9, note);
            return ExitCode.OK.code();
        }
        Posix.kill(p.pid(), Posix.SIGKILL);
        awaitExit(p, Duration.ofSeconds(10));
        out.println("ingestd did not stop within " + timeoutSeconds + " s; killed it (SIGKILL, pid " + p.pid()
                + "). Requests it had not answered get no reply; acknowledged records are committed." + note);
        return ExitCode.FAILED.code(); // LSB: the stop did not go as asked, and an init script must see it
    }

    /** Waits for that very process (by pid and start time, not by the PID file) to be gone. */
    private static boolean awaitExit(ProcessIdentity p, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (p.isAlive()) {
            if (System.nanoTime() > end) return false;
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !p.isAlive();
            }
        }
        return true;
    }

    private static void removeStale(Path pidFile) {
        try {
            if (PidFile.inspect(pidFile) instanceof PidFile.State.Dead) Files.deleteIfExists(pidFile);
        } catch (IOException e) {
            // harmless: an unlocked PID file never blocks a start
        }
    }

    @Command(
            name = "status",
            description =
                    "Show whether the daemon runs (LSB: 0 running, 1 dead with PID file, 3 not running, 4 unknown).")
    static final class Status implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "machine-readable output")
        boolean json;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            Path pidFile = locateOrReport(config, spec.commandLine().getErr(), "status");
            if (pidFile == null) return ExitCode.STATUS_UNKNOWN.code();
            switch (PidFile.inspect(pidFile)) {
                case PidFile.State.Unknown u -> {
                    if (json)
                        out.println("{\"state\":\"unknown\",\"reason\":\""
                                + u.reason().replace("\"", "'") + "\"}");
                    else spec.commandLine().getErr().println("ingestd status unknown: " + u.reason());
                    return ExitCode.STATUS_UNKNOWN.code();
                }
                case PidFile.State.NotRunning n -> {
                    out.println(
                            json
                                    ? "{\"state\":\"stopped\",\"pid_file\":" + Json.quote(pidFile.toString()) + "}"
                                    : "ingestd is not running (no daemon holds " + pidFile + ")");
                    return ExitCode.STATUS_NOT_RUNNING.code();
                }
                case PidFile.State.Dead d -> {
                    String pid = d.pid().isPresent() ? String.valueOf(d.pid().getAsInt()) : "?";
                    out.println(
                            json
                                    ? "{\"state\":\"dead\",\"pid\":" + (pid.equals("?") ? "null" : pid)
                                            + ",\"pid_file\":" + Json.quote(pidFile.toString()) + "}"
                                    : "ingestd is dead, but its PID file " + pidFile + " remains (pid " + pid
                                            + "; it crashed or was killed; see the log, then: ingestd start)");
                    return ExitCode.STATUS_DEAD.code();
                }
                case PidFile.State.Running(ProcessIdentity p) -> {
                    var live = ControlServer.query(
                            ControlServer.pathFor(pidFile),
                            json ? "status" : "status-text",
                            ControlServer.ANSWER_DEADLINE);
                    if (live instanceof ControlServer.Answer.NotResponding(var waited)) {
                        out.println(
                                json
                                        ? "{\"state\":\"unknown\",\"pid\":" + p.pid()
                                                + ",\"reason\":\"not responding\"}"
                                        : "ingestd is in an unknown state, not responding: pid " + p.pid()
                                                + " did not answer on "
                                                + ControlServer.pathFor(pidFile) + " within " + waited.toSeconds()
                                                + " s (stopped by "
                                                + "SIGSTOP, hung or starved; see its log, or a thread dump: jcmd "
                                                + p.pid() + " Thread.print)");
                        return ExitCode.STATUS_UNKNOWN.code();
                    }
                    if (live instanceof ControlServer.Answer.Answered(var text) && !text.startsWith("error"))
                        out.println(text);
                    else if (json) out.println("{\"state\":\"running\",\"pid\":" + p.pid() + "}");
                    else
                        out.println("ingestd is running (pid " + p.pid() + "), up "
                                + p.uptime().toSeconds() + " s (no live details: control socket not reachable)");
                    return ExitCode.OK.code();
                }
            }
        }
    }

    @Command(name = "restart", description = "Stop the daemon (if running), then start it with the same configuration.")
    static final class Restart implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Option(names = "--timeout", defaultValue = "30", paramLabel = "SECONDS", description = "stop timeout")
        long timeoutSeconds;

        @Override
        public Integer call() throws IOException, ConfigException {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            if (timeoutSeconds < 1) return timeoutTooShort(err, timeoutSeconds);
            var loaded = loadOrReport(config, err);
            if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
            Path pidFile = loaded.config().paths().pidFile();
            var startedFrom =
                    RunningDaemons.startedFrom(loaded.config().source().file());
            if (config.overrides.isEmpty()) {
                // the daemon comes back with the configuration it runs with: the file and the overrides it was
                // started (and reloaded) with; --set on this command line replaces them
                var kept = runningOverrides(pidFile, startedFrom, err);
                if (kept == null) return ExitCode.NOT_PERMITTED.code();
                kept.forEach((k, v) -> config.overrides.add(k + "=" + v));
                if (!kept.isEmpty()) {
                    out.println("restarting with the running daemon's overrides of " + String.join(", ", kept.keySet())
                            + " (give --set to replace them)");
                }
            }
            int stopped = stop(pidFile, out, err, timeoutSeconds);
            // killed after --timeout (FAILED, said above): it is gone all the same, so the start goes on
            if (stopped != ExitCode.OK.code() && stopped != ExitCode.FAILED.code()) return stopped;
            // data.dir or pid.file changed since the start: the daemon started from this file holds the old PID file
            for (var p : startedFrom) {
                stopped = stopProcess(
                        p,
                        out,
                        err,
                        timeoutSeconds,
                        " (it was started from this configuration file with "
                                + "another PID file: data.dir or pid.file changed since)");
                if (stopped != ExitCode.OK.code() && stopped != ExitCode.FAILED.code()) return stopped;
            }
            return start(config, out, err, 120, null);
        }

        /**
         * The overrides of the daemon this restart stops (found by the PID file, or among the daemons started from
         * the same file); empty when none runs or it has none; null (after saying why) when one runs and will not say.
         */
        private static @Nullable Map<String, String> runningOverrides(
                Path pidFile, List<ProcessIdentity> startedFrom, PrintWriter err) {
            Path held = PidFile.inspect(pidFile) instanceof PidFile.State.Running ? pidFile : null;
            for (var p : startedFrom) {
                if (held == null) held = RunningDaemons.pidFileOf(p).orElse(null);
            }
            if (held == null) return Map.of();
            Path sock = ControlServer.pathFor(held);
            if (ControlServer.query(sock, "overrides", ControlServer.ANSWER_DEADLINE)
                    instanceof ControlServer.Answer.Answered(String text)) {
                if (text.startsWith("error:")) {
                    err.println("ingestd: restart: the running daemon did not give its overrides (" + text
                            + "); run this as root, or give the configuration in full with --set");
                    return null;
                }
                return ReloadRequest.parse(text);
            }
            err.println("ingestd: restart: the running daemon does not answer on " + sock + " to give its overrides; "
                    + "nothing stopped (give the configuration in full with --set, or stop and start it)");
            return null;
        }
    }

    @Command(
            name = "run",
            description = "Run the daemon in the foreground (systemd, containers, debugging); logs to stderr.")
    static final class Run implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var loaded = loadOrReport(config, spec.commandLine().getErr());
            if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
            Posix.umask(loaded.config().runAs().umask());
            return new Daemon(loaded.config(), loaded.warnings()).run(ForegroundReadiness.create(), true);
        }
    }

    @Command(
            name = "reload",
            description = "Make the daemon re-read its configuration (SIGHUP) and report the outcome.")
    static final class Reload implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            var err = spec.commandLine().getErr();
            // unlike stop and status, reload checks the whole file first: it is what the daemon is asked to apply
            var loaded = loadOrReport(config, err);
            if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
            Path pidFile = loaded.config().paths().pidFile();
            var state = PidFile.inspect(pidFile);
            if (state instanceof PidFile.State.Unknown u) {
                err.println("ingestd: cannot tell whether ingestd runs: " + u.reason());
                return ExitCode.NOT_PERMITTED.code();
            }
            if (!(state instanceof PidFile.State.Running(ProcessIdentity p))) {
                err.println("ingestd: not running (no daemon holds " + pidFile
                        + "); nothing to reload (see: ingestd start)");
                return ExitCode.NOT_RUNNING.code();
            }
            Path sock = ControlServer.pathFor(pidFile);
            if (!config.overrides.isEmpty()) {
                // --set: the daemon takes these overrides into its own (a SIGHUP alone would re-read without them)
                Map<String, String> overrides;
                try {
                    overrides = config.source().overrides();
                } catch (ConfigException e) {
                    err.println("ingestd: " + e.getMessage());
                    return ExitCode.USAGE.code();
                }
                var answer = ControlServer.ask(sock, io.ingestd.daemon.ReloadRequest.of(overrides));
                if (answer.isEmpty()) {
                    err.println("ingestd: cannot reach the control socket " + sock + " to reload with --set (run this "
                            + "as root or as the daemon's user)");
                    return ExitCode.NOT_PERMITTED.code();
                }
                boolean applied = answer.get().startsWith("applied");
                (applied ? out : err).println("reload " + answer.get());
                return applied ? ExitCode.OK.code() : ExitCode.FAILED.code();
            }
            int before = ReloadOutcome.count(sock);
            Posix.kill(p.pid(), Posix.SIGHUP);
            var outcome = ReloadOutcome.await(sock, before, Duration.ofSeconds(30));
            if (outcome.isEmpty()) {
                err.println("ingestd (pid " + p.pid()
                        + ") got SIGHUP but did not report the reload within 30 s; see its log");
                return ExitCode.FAILED.code();
            }
            String text = outcome.get();
            boolean applied = text.contains(" applied");
            (applied ? out : err).println("reload " + text.substring(text.indexOf(' ') + 1));
            return applied ? ExitCode.OK.code() : ExitCode.FAILED.code();
        }
    }
}
