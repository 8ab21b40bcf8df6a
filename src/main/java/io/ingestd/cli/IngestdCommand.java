package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.config.Keys;
import io.ingestd.daemon.Detach;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The top-level {@code ingestd} command: dispatches to the subcommands and maps failures to exit codes. Only the
 * invoked subcommand is built (picocli builds a command's model by reflection over its annotations, and picocli's
 * own classes, compiled for Java 5, are verified at every start): a command line naming one known subcommand gets
 * a tree of the root and that subcommand; help, version, an unknown or missing command get the whole tree.
 */
@Command(
        name = "ingestd",
        mixinStandardHelpOptions = true,
        scope = CommandLine.ScopeType.INHERIT,
        versionProvider = IngestdCommand.Version.class,
        description = "Receives records over ZeroMQ and writes them to a SQL database; each record is "
                + "acknowledged (TRUE) only once it is committed.",
        footer = {"", "Exit codes (start, stop, status follow LSB): see the README, section 'Exit codes'."})
public final class IngestdCommand implements Runnable {
    /** The subcommands in the order of {@code --help}. */
    private static final Map<String, Class<?>> SUBCOMMANDS = subcommands();

    private static Map<String, Class<?>> subcommands() {
        var m = new LinkedHashMap<String, Class<?>>();
        m.put("start", LifecycleCommands.Start.class);
        m.put("stop", LifecycleCommands.Stop.class);
        m.put("status", LifecycleCommands.Status.class);
        m.put("restart", LifecycleCommands.Restart.class);
        m.put("run", LifecycleCommands.Run.class);
        m.put("reload", LifecycleCommands.Reload.class);
        m.put("reopen-logs", ReopenLogsCommand.class);
        m.put("send", SendCommand.class);
        m.put("replay", ReplayCommand.class);
        m.put("bench", BenchCommand.class);
        m.put("check-config", CheckConfigCommand.class);
        m.put("keygen", KeygenCommand.class);
        m.put("config-keys", ConfigDoc.class);
        m.put("exit-codes", ExitCodeDoc.class);
        m.put("help", CommandLine.HelpCommand.class);
        return java.util.Collections.unmodifiableMap(m);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Option(
            names = {"-v", "--verbose"},
            scope = CommandLine.ScopeType.INHERIT,
            description = "print the stack trace of an error, not only its one-line message")
    boolean verbose;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    public static int execute(String[] args) {
        return execute(args, null, null);
    }

    /** Runs one command line; {@code out} and {@code err} default to the process's (tests pass their own). */
    public static int execute(String[] args, @Nullable PrintWriter out, @Nullable PrintWriter err) {
        String only = invoked(args);
        // start launches the daemon's process first, so that its JVM starts while this one parses and checks
        // (Detach.Launch); if start does not hand it the configuration, closing it here lets it exit
        try (var early = "start".equals(only) ? LifecycleCommands.Start.launchEarly(args) : null) {
            return execute(tree(only, early), args, out, err);
        }
    }

    private static int execute(CommandLine cl, String[] args, @Nullable PrintWriter out, @Nullable PrintWriter err) {
        if (out != null) cl.setOut(out);
        if (err != null) cl.setErr(err);
        // an unexpected failure is still one line: what failed and why, without Java class names
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            var e = commandLine.getErr();
            if (ex instanceof io.ingestd.config.ConfigException c) {
                c.problems().forEach(p -> e.println("ingestd: " + p));
                return ExitCode.NOT_CONFIGURED.code();
            }
            e.println("ingestd: " + commandLine.getCommandName() + " failed: " + io.ingestd.config.IoReason.root(ex)
                    + (((IngestdCommand) cl.getCommand()).verbose ? "" : " (details: ingestd --verbose ...)"));
            if (((IngestdCommand) cl.getCommand()).verbose) ex.printStackTrace(e);
            return ExitCode.FAILED.code();
        });
        cl.setParameterExceptionHandler((ex, args2) -> {
            var e = ex.getCommandLine().getErr();
            var names = new java.util.ArrayList<String>();
            for (var c = ex.getCommandLine(); c != null; c = c.getParent()) names.addFirst(c.getCommandName());
            e.println("ingestd: "
                    + java.util.Objects.requireNonNullElse(ex.getMessage(), "")
                            .lines()
                            .findFirst()
                            .orElse("") + " (see: " + String.join(" ", names) + " --help)");
            return ExitCode.USAGE.code();
        });
        return cl.execute(args);
    }

    /** The whole command tree (help, the reference pages), or the root and only {@code only}. */
    static CommandLine tree(@Nullable String only) {
        return tree(only, null);
    }

    private static CommandLine tree(@Nullable String only, Detach.@Nullable Launch early) {
        var cl = new CommandLine(new IngestdCommand());
        SUBCOMMANDS.forEach((name, type) -> {
            if (only != null && !only.equals(name)) return;
            if (early != null && name.equals("start")) cl.addSubcommand(name, new LifecycleCommands.Start(early));
            else cl.addSubcommand(name, type);
        });
        return cl;
    }

    /**
     * The subcommand this command line runs, if it is a known one and nothing before it asks for the root's help or
     * version; null otherwise (the whole tree is needed then: usage, suggestions for a mistyped command).
     */
    static @Nullable String invoked(String[] args) {
        for (String a : args) {
            if (a.equals("-v") || a.equals("--verbose")) continue; // the only root option that lets a command follow
            if (a.startsWith("-")) return null;
            return a.equals("help") || !SUBCOMMANDS.containsKey(a) ? null : a;
        }
        return null;
    }

    /** The configuration reference as markdown (the README's table is generated by this). */
    @Command(name = "config-keys", description = "Print every configuration key with its default and meaning.")
    static final class ConfigDoc implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(Keys.markdownTable());
            out.flush();
        }
    }

    /** The exit codes as markdown (the README's table is generated by this). */
    @Command(name = "exit-codes", description = "Print every exit code with the commands that return it.")
    static final class ExitCodeDoc implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            out.print(ExitCode.markdownTable());
            out.flush();
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = IngestdCommand.class.getPackage().getImplementationVersion();
            return new String[] {
                "ingestd " + (v == null ? "(version unknown: not run from the built jar)" : v) + " (Java "
                        + Runtime.version() + ")"
            };
        }
    }
}
