package io.ingestd.daemon;

import io.ingestd.config.Config;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The classic {@code start}: launches the daemon as a new process (a JVM cannot fork), detached per daemon(7) —
 * new session, cwd /, clean environment, stdin from a pipe that carries the config and then /dev/null, no
 * inherited descriptors (the JDK closes them in the child) — and waits on its stdout, the readiness channel,
 * until it reports READY or a failure with its phase.
 *
 * <p>The daemon is started through util-linux's {@code setsid --fork} when there is one, as {@code sh -c 'exec
 * "$@" 2>&1 | cat' ingestd-start [setpriv --no-new-privs] setsid --fork java ...}: setsid forks the daemon into a
 * new session and exits at once, so the daemon is not a child of this JVM, and the shell (this JVM's child) lives only until {@code cat} has passed on the daemon's
 * output up to its readiness line (the JDK closes a child's pipes when it exits). Otherwise the JDK's process
 * reaper would still be waiting for the daemon (in native code) when {@code start} exits, and a JVM exit waits
 * about 300 ms for threads in native code. The daemon reports its pid first, since this process knows only the pid
 * of the shell.
 */
public final class Detach {
    private Detach() {}

    /** What the start came to. */
    public sealed interface Outcome {
        record Ready(long pid, String summary) implements Outcome {}

        record Failed(Phase phase, String message) implements Outcome {}

        /** It exited before it was ready; its exit code when it was this process's child, else empty. */
        record Died(OptionalInt exitCode, List<String> output) implements Outcome {}

        /** Not ready in time; the daemon's pid, if it reported it (0 if not). */
        record TimedOut(long pid, Duration waited) implements Outcome {}
    }

    /**
     * A daemon process launched ahead of its configuration. {@code start} launches it first thing, so that its JVM
     * starts while the command still parses its arguments, reads the configuration and looks at the PID file; it
     * waits for the configuration on its stdin. Closed without {@link #start handing the configuration over} (the
     * command found a bad configuration, a running daemon, a usage error), it gets an empty stdin and exits without
     * a word.
     */
    public static final class Launch implements AutoCloseable {
        private final Process process;
        private final boolean viaSetsid;
        private final Optional<Path> configFile;
        private boolean handedOver;

        private Launch(Process process, boolean viaSetsid, Optional<Path> configFile) {
            this.process = process;
            this.viaSetsid = viaSetsid;
            this.configFile = configFile;
        }

        /** Whether it was launched for this configuration file (its environment names the file: RunningDaemons). */
        public boolean isFor(Config.Source source) {
            return configFile.equals(source.file().map(f -> f.toAbsolutePath().normalize()));
        }

        @Override
        public void close() {
            if (handedOver) return;
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                // the pipe is gone: so is the process it led to
            }
        }
    }

    /** Launches a daemon process for {@code configFile} (empty: none) that waits for its configuration. */
    public static Launch launch(Optional<Path> configFile) throws IOException {
        @Nullable Path setsid = util("setsid");
        @Nullable Path setpriv = setsid == null ? null : util("setpriv");
        var pb = new ProcessBuilder(command(setsid, setpriv));
        pb.directory(new File("/"));
        var childEnv = pb.environment();
        childEnv.clear();
        childEnv.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        childEnv.put("LANG", "C.UTF-8");
        String tz = System.getenv("TZ");
        if (tz != null) childEnv.put("TZ", tz);
        var file = configFile.map(f -> f.toAbsolutePath().normalize());
        file.ifPresent(f -> childEnv.put(RunningDaemons.MARK, f.toString()));
        pb.redirectErrorStream(true);
        // no_new_privs, inherited by the daemon and all its threads (prctl in the daemon covers one thread only):
        // util-linux's setpriv sets it on the way, else this process does, before the daemon is forked from it
        if (setpriv == null) io.ingestd.posix.Posix.setNoNewPrivileges();
        return new Launch(pb.start(), setsid != null, file);
    }

    /** Launches the daemon, hands it the configuration and waits until it is ready or failed. */
    public static Outcome start(Config.Source source, Map<String, String> env, Duration timeout) throws IOException {
        try (var launch = launch(source.file())) {
            return start(launch, source, env, timeout);
        }
    }

    /** Hands the configuration to a daemon launched ahead of it and waits until it is ready or failed. */
    public static Outcome start(Launch launch, Config.Source source, Map<String, String> env, Duration timeout)
            throws IOException {
        Process p = launch.process;
        launch.handedOver = true;
        Handoff.write(source, env, p.getOutputStream());
        var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var result = new Outcome[1];
        var output = new ArrayDeque<String>();
        // the daemon's pid: the launched process's own, or (through setsid) the one the daemon reports
        var pid = new AtomicLong(launch.viaSetsid ? 0 : p.pid());
        // read on a thread of its own so the wait has a deadline
        var t = Thread.ofVirtual().start(() -> result[0] = readUntilOutcome(reader, output, pid));
        try {
            if (!t.join(timeout)) {
                return new Outcome.TimedOut(pid.get(), timeout);
            }
            if (result[0] instanceof Outcome.Failed failed) {
                // the daemon exits after it reported: wait for that (its output ends when it does), so that a start
                // right after this one does not find the PID file still locked or the log still open
                var exited = Thread.ofVirtual().start(() -> drain(reader));
                if (!exited.join(EXIT_AFTER_FAILURE)) exited.interrupt();
                return failed;
            }
            if (result[0] != null) return result[0];
            if (launch.viaSetsid) return new Outcome.Died(OptionalInt.empty(), List.copyOf(output));
            p.waitFor(5, TimeUnit.SECONDS);
            return new Outcome.Died(
                    p.isAlive() ? OptionalInt.empty() : OptionalInt.of(p.exitValue()), List.copyOf(output));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.TimedOut(pid.get(), timeout);
        }
    }

    /** Longest wait for a daemon that reported a failed start to exit. */
    private static final Duration EXIT_AFTER_FAILURE = Duration.ofSeconds(10);

    private static void drain(BufferedReader reader) {
        try {
            while (reader.readLine() != null) {
                // what a failed daemon prints while it exits was logged by it; only its end matters here
            }
        } catch (IOException e) {
            // the pipe closed: the daemon is gone
        }
    }

    private static @Nullable Outcome readUntilOutcome(
            BufferedReader reader, ArrayDeque<String> output, AtomicLong pid) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.startsWith(PipeReadiness.PID)) {
                    pid.set(Long.parseLong(
                            line.substring(PipeReadiness.PID.length()).trim()));
                    continue;
                }
                if (line.startsWith(PipeReadiness.READY)) {
                    String rest = line.substring(PipeReadiness.READY.length());
                    int sp = rest.indexOf(' ');
                    return new Outcome.Ready(Long.parseLong(rest.substring(0, sp)), rest.substring(sp + 1));
                }
                if (line.startsWith(PipeReadiness.FAILED)) {
                    String rest = line.substring(PipeReadiness.FAILED.length());
                    int sp = rest.indexOf(' ');
                    return new Outcome.Failed(Phase.valueOf(rest.substring(0, sp)), rest.substring(sp + 1));
                }
                synchronized (output) {
                    output.add(line);
                    if (output.size() > 40) output.removeFirst();
                }
            }
        } catch (IOException e) {
            // the pipe closed: the caller reports the exit
        }
        return null;
    }

    /** A util-linux program (setsid, setpriv), if installed where the daemon's PATH looks. */
    private static @Nullable Path util(String name) {
        for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) return p;
        }
        return null;
    }

    /**
     * The system property in which the launcher lists (space-separated) the JVM options it gave this command's JVM
     * only: a command lives for a fraction of a second, the daemon needs the JVM's defaults (C2, its GC).
     */
    static final String COMMAND_JVM_OPTIONS = "ingestd.command.jvm";

    /** The same JVM, options and class path as this process, running the daemon entry point. */
    private static List<String> command(@Nullable Path setsid, @Nullable Path setpriv) {
        var cmd = new ArrayList<String>();
        if (setsid != null) {
            cmd.addAll(List.of("/bin/sh", "-c", "exec \"$@\" 2>&1 | cat", "ingestd-start"));
            if (setpriv != null) cmd.addAll(List.of(setpriv.toString(), "--no-new-privs"));
            cmd.addAll(List.of(setsid.toString(), "--fork"));
        }
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        cmd.addAll(daemonOptions(ManagementFactory.getRuntimeMXBean().getInputArguments()));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.ingestd.Main");
        cmd.add(DaemonProcess.COMMAND);
        return cmd;
    }

    /**
     * The system property in which an installation's launcher names the daemon's AOT cache: start's JVM runs with a
     * cache of its own, which the daemon gets in no case.
     */
    static final String DAEMON_AOT_CACHE = "ingestd.daemon.aot";

    /**
     * This JVM's options minus the debugger agent and one occurrence of each command-only option; with the
     * launcher's caches, the daemon's AOT cache instead of this JVM's.
     */
    static List<String> daemonOptions(List<String> jvmOptions) {
        String prefix = "-D" + COMMAND_JVM_OPTIONS + "=";
        String cachePrefix = "-D" + DAEMON_AOT_CACHE + "=";
        var commandOnly = new ArrayList<String>();
        @Nullable String daemonCache = null;
        for (String arg : jvmOptions) {
            if (arg.startsWith(prefix)) {
                for (String o : arg.substring(prefix.length()).split(" ", -1)) if (!o.isEmpty()) commandOnly.add(o);
            }
            if (arg.startsWith(cachePrefix)) daemonCache = arg.substring(cachePrefix.length());
        }
        var result = new ArrayList<String>();
        for (String arg : jvmOptions) {
            if (arg.startsWith("-agentlib:jdwp") || arg.startsWith(prefix) || commandOnly.remove(arg)) continue;
            if (daemonCache != null
                    && (arg.startsWith(cachePrefix)
                            || arg.startsWith("-XX:AOTCache=")
                            || arg.startsWith("-XX:AOTCacheOutput="))) continue;
            result.add(arg);
        }
        if (daemonCache != null) result.add("-XX:AOTCache=" + daemonCache);
        return result;
    }
}
