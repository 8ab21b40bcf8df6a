package io.ingestd.daemon;

import io.ingestd.config.Config;
import org.jspecify.annotations.Nullable;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The classic {@code start}: launches the daemon as a new process (a JVM cannot fork), detached per daemon(7) —
 * new session, cwd /, clean environment, stdin from a pipe that carries the config and then /dev/null, no
 * inherited descriptors (the JDK closes them in the child) — and waits on its stdout, the readiness channel,
 * until it reports READY or a failure with its phase.
 */
public final class Detach {
    private Detach() {}

    /** What the start came to. */
    public sealed interface Outcome {
        record Ready(long pid, String summary) implements Outcome {}

        record Failed(Phase phase, String message) implements Outcome {}

        record Died(int exitCode, List<String> output) implements Outcome {}

        record TimedOut(long pid, Duration waited) implements Outcome {}
    }

    public static Outcome start(Config.Source source, Map<String, String> env, Duration timeout) throws IOException {
        var pb = new ProcessBuilder(command());
        pb.directory(new File("/"));
        var childEnv = pb.environment();
        childEnv.clear();
        childEnv.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        childEnv.put("LANG", "C.UTF-8");
        if (env.containsKey("TZ")) childEnv.put("TZ", env.get("TZ"));
        source.file()
                .ifPresent(f -> childEnv.put(
                        RunningDaemons.MARK, f.toAbsolutePath().normalize().toString()));
        pb.redirectErrorStream(true);
        // no_new_privs is inherited by the child and all its threads (prctl in the daemon covers one thread only)
        io.ingestd.posix.Posix.setNoNewPrivileges();
        Process p = pb.start();
        Handoff.write(source, env, p.getOutputStream());
        var reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        var result = new Outcome[1];
        var output = new ArrayDeque<String>();
        // read on a thread of its own so the wait has a deadline
        var t = Thread.ofVirtual().start(() -> result[0] = readUntilOutcome(reader, output));
        try {
            if (!t.join(timeout)) {
                return new Outcome.TimedOut(p.pid(), timeout);
            }
            if (result[0] != null) return result[0];
            p.waitFor(5, TimeUnit.SECONDS);
            return new Outcome.Died(p.isAlive() ? -1 : p.exitValue(), new ArrayList<>(output));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome.TimedOut(p.pid(), timeout);
        }
    }

    private static @Nullable Outcome readUntilOutcome(BufferedReader reader, ArrayDeque<String> output) {
        try {
            String line;
            while ((line = reader.readLine()) != null) {
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

    /** The same JVM, options and class path as this process, running the daemon entry point. */
    private static List<String> command() {
        var cmd = new ArrayList<String>();
        cmd.add(ProcessHandle.current().info().command().orElse("java"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!arg.startsWith("-agentlib:jdwp")) cmd.add(arg);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.ingestd.Main");
        cmd.add(DaemonProcess.COMMAND);
        return cmd;
    }
}
