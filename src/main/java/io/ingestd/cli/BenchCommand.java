package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.client.LoadGenerator;
import io.ingestd.client.Sender;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

/** {@code ingestd bench}: a bounded load generator that reports throughput and latency and verifies the rows. */
@Command(
        name = "bench",
        description = {
            "Send N unique records and report acknowledged records/s and latency.",
            "127.0.0.1 only by intent: it is a load test. Stops after N records or --max-time."
        })
final class BenchCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Option(
            names = {"-n", "--records"},
            defaultValue = "100000",
            description = "records to send (default: ${DEFAULT-VALUE})")
    long records;

    @Option(
            names = {"-C", "--connections"},
            defaultValue = "1",
            description = "connections (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(
            names = {"-w", "--window"},
            defaultValue = "1",
            description = "requests in flight per connection; 1 = lock-step REQ (default: ${DEFAULT-VALUE})")
    int window;

    @Option(
            names = {"-r", "--per-message"},
            defaultValue = "1",
            description = "records per message (default: ${DEFAULT-VALUE})")
    int perMessage;

    @Option(names = "--rate", defaultValue = "0", description = "offered records/s in total; 0 = as fast as possible")
    double rate;

    @Option(
            names = "--ticket-base",
            paramLabel = "FIRST",
            description = {
                "first ticket; required: bench writes real rows "
                        + "into db.table, tickets FIRST .. FIRST+N+C-1 (N measured, then one warm-up record per connection).",
                "Choose a range no real ticket uses (e.g. 900000000000), or run against a bench-only database"
            })
    Long ticketBaseOption;

    long ticketBase;

    @Option(
            names = "--warm-up",
            defaultValue = "0",
            paramLabel = "SECONDS",
            description = "record latency only after this many seconds (the rate counts the whole run)")
    long warmUpSeconds;

    @Option(
            names = "--max-time",
            defaultValue = "300",
            description = "stop after this many seconds (default: ${DEFAULT-VALUE})")
    long maxSeconds;

    @Option(
            names = "--endpoint",
            split = ",",
            paramLabel = "ENDPOINT[,ENDPOINT...]",
            description = "daemon address, or several ingestd nodes (connections are spread over them and fail over "
                    + "to the next after --failover-after without a reply; default: every address of listen)")
    java.util.List<String> endpoints;

    @Option(
            names = "--failover-after",
            defaultValue = "6",
            paramLabel = "SECONDS",
            description =
                    "with several endpoints, resend to the next node after this long without a reply (default: ${DEFAULT-VALUE})")
    long failoverAfter;

    @Option(
            names = "--verify-url",
            description = "JDBC URL to check that every acknowledged record is stored and processed")
    String verifyUrl;

    @Option(names = "--table", defaultValue = "fee", description = "table to verify (default: ${DEFAULT-VALUE})")
    String table;

    @Option(
            names = "--seed-reference",
            description = "instead: the seed's design, a per-row INSERT + UPDATE autocommit loop on --verify-url")
    boolean seedReference;

    @Option(names = "--tsv", description = "also print one tab-separated result line (for scripts)")
    boolean tsv;

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        if (ticketBaseOption == null) {
            err.println("ingestd: bench needs --ticket-base FIRST: it writes real rows into db.table (tickets FIRST .. "
                    + "FIRST+N+C-1); choose a range no real ticket uses, e.g. --ticket-base 900000000000");
            return ExitCode.USAGE.code();
        }
        ticketBase = ticketBaseOption;
        if (ticketBase < 1
                || records < 1
                || connections < 1
                || window < 1
                || perMessage < 1
                || maxSeconds < 1
                || warmUpSeconds < 0
                || rate < 0) {
            err.println("ingestd: bench: --ticket-base, -n, -C, -w, -r and --max-time must be at least 1, --rate and "
                    + "--warm-up at least 0");
            return ExitCode.USAGE.code();
        }
        if (seedReference && verifyUrl == null) {
            err.println("ingestd: bench --seed-reference needs --verify-url JDBC-URL (the database it writes to)");
            return ExitCode.USAGE.code();
        }
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,47}")) {
            err.println("ingestd: bench --table '" + table + "' is not a plain SQL identifier (letters, digits, _)");
            return ExitCode.USAGE.code();
        }
        if (!SendCommand.endpointsValid("bench", endpoints, err)) return ExitCode.USAGE.code();
        if (seedReference) return seedReference(out);
        var loaded = LifecycleCommands.loadOrReport(config, spec.commandLine().getErr());
        if (loaded == null) return ExitCode.NOT_CONFIGURED.code();
        var targets = SendCommand.endpoints(endpoints, loaded.config().listen());
        Sender.Security security = ClientSecurity.from(loaded.config());
        var plan = new LoadGenerator.Plan(
                targets,
                records,
                connections,
                window,
                perMessage,
                ticketBase,
                rate,
                Duration.ofSeconds(maxSeconds),
                Duration.ofSeconds(warmUpSeconds),
                Duration.ofSeconds(failoverAfter),
                security);
        var metrics = loaded.config().metricsListen();
        // opened before the run: its set-up time is not the processing stage's lag
        ProcessedProbe probe = verifyUrl != null
                ? new DatabaseProbe()
                : metrics.isPresent() && endpoints == null ? new MetricsProbe(metrics.get()) : null;
        var r = new LoadGenerator(plan).run();
        long runEnd = System.nanoTime();
        var h = r.latencyMicros();
        out.printf(
                "bench: %d records, %d connections, %d in flight each, %d per message%s%n",
                records,
                connections,
                window,
                perMessage,
                rate > 0 ? String.format(", offered %.0f records/s", rate) : "");
        out.printf(
                "  acknowledged %d records in %.2f s: %.0f records/s (rejected %d, retried %d%s)%n",
                r.acknowledged(),
                r.seconds(),
                r.rate(),
                r.rejected(),
                r.retried(),
                targets.size() > 1 ? ", failovers " + r.failovers() : "");
        out.printf(
                "  ack latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                h.getValueAtPercentile(50) / 1000.0,
                h.getValueAtPercentile(99) / 1000.0,
                h.getValueAtPercentile(99.9) / 1000.0,
                h.getMaxValue() / 1000.0);
        boolean verified = true;
        double endToEnd = Double.NaN;
        if (probe != null) {
            double lag = Double.NaN;
            try (probe) {
                lag = lagUntilProcessed(probe, runEnd);
            } catch (java.io.IOException e) {
                out.println("  processing not measured: cannot read the daemon's metrics ("
                        + io.ingestd.config.IoReason.root(e) + "; check metrics.listen, or give --verify-url)");
            }
            if (!Double.isNaN(lag)) {
                endToEnd = r.acknowledged() / (r.seconds() + lag);
                out.printf(
                        "  all processed ('Y') %.2f s after the last acknowledgement: %.0f records/s end to end%n",
                        lag, endToEnd);
            }
        }
        if (verifyUrl != null) verified = verify(out, r.acknowledged());
        if (tsv) {
            out.printf(
                    "TSV\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%d%s%n",
                    r.rate(),
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getValueAtPercentile(99.9) / 1000.0,
                    h.getMaxValue() / 1000.0,
                    r.acknowledged(),
                    Double.isNaN(endToEnd) ? "" : String.format("\tprocessed_rate=%.0f", endToEnd));
        }
        out.flush();
        return verified && r.acknowledged() == records ? ExitCode.OK.code() : ExitCode.FAILED.code();
    }

    /**
     * Seconds from {@code runEnd} until every record of the run is processed ('Y'): the acknowledgement rate alone
     * would flatter a processing stage that lags behind the writers. Gives up after 60 s (then the verification
     * fails).
     */
    private static double lagUntilProcessed(ProcessedProbe probe, long runEnd) throws Exception {
        long end = runEnd + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end && !probe.allProcessed()) {
            TimeUnit.MILLISECONDS.sleep(20); // polling for the processing stage to finish
        }
        return (System.nanoTime() - runEnd) / 1e9;
    }

    /** Tells whether everything acknowledged so far is processed. */
    private interface ProcessedProbe extends AutoCloseable {
        boolean allProcessed() throws Exception;

        @Override
        default void close() throws SQLException {}
    }

    /** Counts this run's rows still 'N', through the status index: cheap when few are left. */
    private final class DatabaseProbe implements ProcessedProbe {
        private final Connection c;
        private final PreparedStatement st;

        DatabaseProbe() throws SQLException {
            c = DriverManager.getConnection(verifyUrl);
            st = c.prepareStatement(
                    "SELECT COUNT(*) FROM " + table + " WHERE status = 'N' AND ticket >= ? AND ticket < ?");
            st.setLong(1, ticketBase);
            st.setLong(2, ticketBase + records);
        }

        @Override
        public boolean allProcessed() throws SQLException {
            try (var rs = st.executeQuery()) {
                rs.next();
                return rs.getLong(1) == 0;
            }
        }

        @Override
        public void close() throws SQLException {
            c.close();
        }
    }

    /**
     * The daemon's own counters, for a database this process cannot open (embedded H2): every record the daemon
     * acknowledged is processed.
     */
    private static final class MetricsProbe implements ProcessedProbe {
        private final HttpClient http = HttpClient.newHttpClient();
        private final HttpRequest get;

        MetricsProbe(String listen) {
            get = HttpRequest.newBuilder(URI.create("http://" + listen + "/metrics"))
                    .build();
        }

        @Override
        public boolean allProcessed() throws Exception {
            String body = http.send(get, HttpResponse.BodyHandlers.ofString()).body();
            return counter(body, "ingestd_records_processed_total")
                    >= counter(body, "ingestd_records_acknowledged_total");
        }
    }

    private static double counter(String exposition, String name) {
        for (String line : exposition.lines().toList()) {
            if (line.startsWith(name + " "))
                return Double.parseDouble(line.substring(name.length() + 1).trim());
        }
        return Double.NaN; // comparisons with NaN are false: waits out the deadline rather than claim a lag of 0
    }

    /** Counts the run's rows once: {@link #lagUntilProcessed} has already waited for the processing stage. */
    private boolean verify(java.io.PrintWriter out, long acknowledged) throws Exception {
        String range = " WHERE ticket >= " + ticketBase + " AND ticket < " + (ticketBase + records);
        long stored, processed;
        try (var c = DriverManager.getConnection(verifyUrl);
                var st = c.createStatement();
                var rs = st.executeQuery(
                        "SELECT COUNT(*), SUM(CASE WHEN status = 'Y' THEN 1 ELSE 0 END) FROM " + table + range)) {
            rs.next();
            stored = rs.getLong(1);
            processed = rs.getLong(2);
        }
        boolean ok = stored >= acknowledged && processed == stored;
        out.printf(
                "  %s: %d acknowledged, %d stored, %d processed ('Y')%n",
                ok ? "verified" : "VERIFY FAILED", acknowledged, stored, processed);
        return ok;
    }

    /** The seed's write path, for reference: INSERT 'N' then UPDATE 'Y', each autocommitted, one row at a time. */
    private int seedReference(java.io.PrintWriter out) throws Exception {
        try (var c = DriverManager.getConnection(verifyUrl);
                var ins = c.prepareStatement(
                        "INSERT INTO " + table + " (ticket, login, volume, status) VALUES (?, ?, ?, 'N')");
                var upd =
                        c.prepareStatement("UPDATE " + table + " SET status = 'Y' WHERE ticket = ? AND status = 'N'")) {
            c.setAutoCommit(true);
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(maxSeconds);
            long n = 0;
            var h = new org.HdrHistogram.Histogram(3);
            for (long t = ticketBase; t < ticketBase + records && System.nanoTime() < deadline; t++, n++) {
                long t0 = System.nanoTime();
                ins.setLong(1, t);
                ins.setLong(2, t % 100_000 + 1);
                ins.setBigDecimal(3, java.math.BigDecimal.valueOf(t % 1000).add(new java.math.BigDecimal("0.25")));
                ins.executeUpdate();
                upd.setLong(1, t);
                upd.executeUpdate();
                h.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
            }
            double secs = (System.nanoTime() - start) / 1e9;
            out.printf("seed reference: %d rows INSERT+UPDATE autocommit in %.2f s: %.0f rows/s%n", n, secs, n / secs);
            out.printf(
                    "  per-row latency ms (both statements): p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n",
                    h.getValueAtPercentile(50) / 1000.0,
                    h.getValueAtPercentile(99) / 1000.0,
                    h.getValueAtPercentile(99.9) / 1000.0,
                    h.getMaxValue() / 1000.0);
            if (tsv) {
                out.printf(
                        "TSV\t%.0f\t%.3f\t%.3f\t%.3f\t%.3f\t%d%n",
                        n / secs,
                        h.getValueAtPercentile(50) / 1000.0,
                        h.getValueAtPercentile(99) / 1000.0,
                        h.getValueAtPercentile(99.9) / 1000.0,
                        h.getMaxValue() / 1000.0,
                        n);
            }
            return ExitCode.OK.code();
        }
    }
}
