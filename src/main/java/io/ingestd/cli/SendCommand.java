package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.client.Progress;
import io.ingestd.client.SendJob;
import io.ingestd.client.Sender;
import io.ingestd.posix.Posix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/** {@code ingestd send}: sends CSV records from a file or stdin and reports what was acknowledged. */
@Command(
        name = "send",
        description = {
            "Send CSV records (ticket,login,volume per line) from FILE or stdin.",
            "Exit 0 if every record was acknowledged, 1 if any was rejected or not acknowledged."
        })
final class SendCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            defaultValue = "-",
            paramLabel = "FILE",
            description = "input file, or - for stdin")
    String file;

    @Option(
            names = "--endpoint",
            paramLabel = "ENDPOINT[,ENDPOINT...]",
            split = ",",
            description = "daemon address, or several ingestd nodes: no reply within --failover-after and the messages "
                    + "go to the next (default: every address of listen)")
    java.util.List<String> endpoints;

    @Option(
            names = "--failover-after",
            defaultValue = "6",
            paramLabel = "SECONDS",
            description = "with several endpoints, resend to the next node after this long without a reply "
                    + "(default: ${DEFAULT-VALUE}, just over db.retry-window's default)")
    long failoverAfter;

    @Option(names = "--batch", defaultValue = "100", description = "records per message (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--window", defaultValue = "64", description = "messages in flight (default: ${DEFAULT-VALUE})")
    int window;

    @Option(
            names = "--attempts",
            defaultValue = "5",
            description = "tries per message answered RETRY (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(
            names = "--reply-timeout",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description = "give up on replies after this long without any (default: ${DEFAULT-VALUE})")
    long replyTimeout;

    @Option(names = "--rejects", paramLabel = "FILE", description = "write rejected lines (with the reason) to FILE")
    Path rejectsFile;

    @Option(names = "--quiet", description = "no progress output")
    boolean quiet;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        var loaded = LifecycleCommands.loadOrReport(config, err);
        if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
        if (batch < 1 || window < 1 || attempts < 1 || replyTimeout < 1) {
            err.println("ingestd: send: --batch, --window, --attempts and --reply-timeout must be at least 1");
            return ExitCode.USAGE.code();
        }
        if (!SendCommand.endpointsValid("send", endpoints, err)) return ExitCode.USAGE.code();
        if (failoverAfter < 1) {
            err.println("ingestd: send: --failover-after must be at least 1 (seconds)");
            return ExitCode.USAGE.code();
        }
        var targets = endpoints(endpoints, loaded.config().listen());
        String target = String.join(",", targets);
        boolean stdin = file.equals("-");
        if (!stdin && !Files.isReadable(Path.of(file))) {
            err.println("ingestd: send: cannot read FILE " + file + ": "
                    + (Files.exists(Path.of(file)) ? "permission denied" : "no such file"));
            return ExitCode.USAGE.code();
        }
        long expected = stdin ? 0 : countLines(Path.of(file));
        var progress = quiet ? Progress.none() : new Progress(System.err, Posix.isatty(2));
        Sender.Security security;
        try {
            security = ClientSecurity.from(loaded.config());
        } catch (io.ingestd.config.ConfigException e) {
            err.println("ingestd: " + e.getMessage());
            return ExitCode.NOT_CONFIGURED.code();
        }
        boolean curve = security != Sender.Security.NONE;
        try (var sender = new Sender(targets, window, security);
                BufferedReader in = stdin
                        ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                        : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8);
                Writer rejects =
                        rejectsFile == null ? null : Files.newBufferedWriter(rejectsFile, StandardCharsets.UTF_8)) {
            var job = new SendJob(
                    sender,
                    batch,
                    attempts,
                    Duration.ofSeconds(replyTimeout),
                    Duration.ofSeconds(failoverAfter),
                    progress,
                    rejects,
                    loaded.config().limits().maxMessageBytes());
            var summary = job.run(in, expected);
            SendJob.print(summary, stdin ? "stdin" : file, new java.io.PrintStream(System.out, true));
            out.flush();
            if (summary.records() > 0
                    && summary.acknowledged() == 0
                    && summary.rejected() == 0
                    && summary.firstRejections().isEmpty()) { // RETRY answers are replies too
                err.println("ingestd: no replies from " + target
                        + (curve
                                ? " (either ingestd does not run there, or it refuses this client's key: is the public key of "
                                        + "curve.client.key in the daemon's curve.clients.dir, and curve.server.public the daemon's "
                                        + "key? see: ingestd status, and 'refused a connection' in the daemon's log)"
                                : " (is ingestd running, and without CURVE? see: ingestd status)"));
            }
            return summary.allAcknowledged() ? ExitCode.OK.code() : ExitCode.FAILED.code();
        }
    }

    /** Checks each {@code --endpoint} given to {@code command}; prints the first problem, naming the option. */
    static boolean endpointsValid(String command, java.util.List<String> endpoints, java.io.PrintWriter err) {
        if (endpoints == null) return true;
        for (String e : endpoints) {
            var problem = io.ingestd.config.Endpoints.problem(e.strip());
            if (problem.isPresent()) {
                err.println("ingestd: " + command + " --endpoint '" + e.strip() + "': " + problem.get());
                return false;
            }
        }
        return true;
    }

    /** The endpoints given, or else every address the configuration listens on. */
    static java.util.List<String> endpoints(java.util.List<String> given, java.util.List<String> listen) {
        if (given != null && !given.isEmpty())
            return given.stream().map(String::strip).filter(e -> !e.isEmpty()).toList();
        return listen.stream().map(SendCommand::connectable).toList();
    }

    /** A bind address is not always a connect address: 0.0.0.0 and * mean "here". */
    static String connectable(String listen) {
        return listen.replace("tcp://0.0.0.0:", "tcp://127.0.0.1:").replace("tcp://*:", "tcp://127.0.0.1:");
    }

    private static long countLines(Path p) throws IOException {
        try (var lines = Files.lines(p, StandardCharsets.UTF_8)) {
            return lines.count();
        } catch (java.io.UncheckedIOException e) {
            return 0;
        }
    }
}
