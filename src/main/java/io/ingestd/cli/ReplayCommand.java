package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.client.Progress;
import io.ingestd.client.SendJob;
import io.ingestd.client.Sender;
import io.ingestd.log.RejectEntry;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ingestd replay}: sends the records of rejects.log entries again, once what rejected them is fixed, one
 * record a message, and prints each record's answer. By default only the records rejected when the spool was written
 * to the database: their sender was answered {@code TRUE}, so nobody else sends them again.
 */
@Command(
        name = "replay",
        description = {
            "Send the records of REJECTS_FILE's entries again (after the cause is fixed), one record per message, and "
                    + "print each one's answer.",
            "By default only the records rejected when the spool was written to the database (they were answered TRUE, "
                    + "so no sender sends them again); --all replays every entry. A record already stored identically "
                    + "is answered TRUE and not stored twice, so a replay can be run again.",
            "Exit 0 if every replayed record was acknowledged, 1 if any was not or an entry could not be replayed whole."
        })
final class ReplayCommand implements Callable<Integer> {
    /** The streams records can be replayed into; streams of their own are not there yet. */
    private static final List<String> STREAMS = List.of("fee");

    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "REJECTS_FILE",
            description = "log.dir/rejects.log, or a rolled one (uncompressed: zcat FILE.gz | ingestd replay -), or - "
                    + "for stdin")
    String file;

    @Option(
            names = "--stream",
            paramLabel = "NAME",
            defaultValue = "fee",
            description = "the stream the records belong to (default: ${DEFAULT-VALUE}, the only one)")
    String stream;

    @Option(names = "--all", description = "also replay messages that were answered FALSE to their sender")
    boolean all;

    @Option(
            names = "--endpoint",
            paramLabel = "ENDPOINT[,ENDPOINT...]",
            split = ",",
            description = "daemon address(es), as for send (default: every address of listen)")
    List<String> endpoints;

    @Option(
            names = "--attempts",
            defaultValue = "5",
            description = "tries per record answered RETRY (default: ${DEFAULT-VALUE})")
    int attempts;

    @Option(
            names = "--reply-timeout",
            defaultValue = "60",
            paramLabel = "SECONDS",
            description = "give up on replies after this long without any (default: ${DEFAULT-VALUE})")
    long replyTimeout;

    /** The record lines to send, each with the place in the file it came from. */
    private record Work(List<String> records, List<String> sources, List<String> problems, int skipped) {}

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (!STREAMS.contains(stream)) {
            err.println("ingestd: replay --stream '" + stream + "': no such stream (the only stream is "
                    + String.join(", ", STREAMS) + ")");
            return ExitCode.USAGE.code();
        }
        if (attempts < 1 || replyTimeout < 1) {
            err.println("ingestd: replay: --attempts and --reply-timeout must be at least 1");
            return ExitCode.USAGE.code();
        }
        if (!SendCommand.endpointsValid("replay", endpoints, err)) return ExitCode.USAGE.code();
        boolean stdin = file.equals("-");
        if (!stdin && !Files.isReadable(Path.of(file))) {
            err.println("ingestd: replay: cannot read REJECTS_FILE " + file + ": "
                    + (Files.exists(Path.of(file)) ? "permission denied" : "no such file"));
            return ExitCode.USAGE.code();
        }
        var loaded = LifecycleCommands.loadOrReport(config, err);
        if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
        String name = stdin ? "stdin" : Path.of(file).getFileName().toString();
        Work work;
        try (BufferedReader in = stdin
                ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                : Files.newBufferedReader(Path.of(file), StandardCharsets.UTF_8)) {
            work = read(in, name);
        }
        work.problems().forEach(out::println);
        if (work.skipped() > 0) {
            out.println(
                    "skipped " + work.skipped() + " entries answered FALSE to their sender (replay them with --all)");
        }
        if (work.records().isEmpty()) {
            out.println("nothing to replay in " + name);
            out.flush();
            return work.problems().isEmpty() ? ExitCode.OK.code() : ExitCode.FAILED.code();
        }
        Sender.Security security;
        try {
            security = ClientSecurity.from(loaded.config());
        } catch (io.ingestd.config.ConfigException e) {
            err.println("ingestd: " + e.getMessage());
            return ExitCode.NOT_CONFIGURED.code();
        }
        var targets = SendCommand.endpoints(endpoints, loaded.config().listen());
        try (var sender = new Sender(targets, 64, security)) {
            var job = new SendJob(
                            sender,
                            1,
                            attempts,
                            Duration.ofSeconds(replyTimeout),
                            Duration.ofSeconds(6),
                            Progress.none(),
                            null,
                            loaded.config().limits().maxMessageBytes())
                    .reportingEachLine((number, line, reply) ->
                            out.println(work.sources().get((int) number - 1) + ": " + line + ": " + reply));
            var summary = job.run(
                    new BufferedReader(new StringReader(String.join("\n", work.records()))),
                    work.records().size());
            out.flush();
            SendJob.print(summary, name, new java.io.PrintStream(System.out, true));
            return summary.allAcknowledged() && work.problems().isEmpty() ? ExitCode.OK.code() : ExitCode.FAILED.code();
        }
    }

    private Work read(BufferedReader in, String name) throws IOException {
        var records = new ArrayList<String>();
        var sources = new ArrayList<String>();
        var problems = new ArrayList<String>();
        int skipped = 0;
        long n = 0;
        for (String line; (line = in.readLine()) != null; ) {
            n++;
            if (line.isBlank()) continue;
            String where = name + ":" + n;
            var entry = RejectEntry.parse(line);
            if (entry == null) {
                problems.add(where + ": not a rejects.log entry; not replayed");
            } else if (!all && !entry.isFromSpool()) {
                skipped++;
            } else if (entry.isCut()) {
                var lines = entry.lines();
                problems.add(where + ": the message was cut at 512 bytes in rejects.log; not replayed (its first line: "
                        + (lines.isEmpty() ? "" : lines.getFirst()) + ")");
            } else {
                for (String record : entry.lines()) {
                    if (record.indexOf('\r') >= 0) {
                        problems.add(where + ": a line holds a carriage return; not replayed");
                        continue;
                    }
                    records.add(record);
                    sources.add(where);
                }
            }
        }
        return new Work(records, sources, problems, skipped);
    }
}
