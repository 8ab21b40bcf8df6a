package io.ingestd.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's typed, validated, immutable configuration, in named parts (one per concern, so a component takes
 * only the part it needs). Paths are absolute. {@link #source()} keeps where it came from (file and {@code --set}
 * overrides) so that a reload can read it again the same way; {@link #settings()} keeps the effective text of
 * every non-secret key, so that a reload can name the keys it changed.
 */
public record Config(
        List<String> listen,
        Db db,
        Limits limits,
        Paths paths,
        Processing processing,
        Security security,
        RunAs runAs,
        String logLevel,
        Optional<String> metricsListen,
        SpoolConfig spool,
        Map<String, String> settings,
        Source source) {

    public Config {
        listen = List.copyOf(listen);
        settings = Map.copyOf(settings);
    }

    /** The database: where, as whom, which table, how many connections and writers, how long to wait. */
    public record Db(
            String url,
            String user,
            Secret password,
            String table,
            int poolSize,
            int writers,
            Duration networkTimeout,
            Duration retryWindow) {

        /** The database URL without credentials, for logs and status. */
        public String urlForDisplay() {
            return url.replaceAll("(?i)(password|pwd)=[^;&]*", "$1=***");
        }
    }

    /** How much the daemon takes in: per transaction, waiting in the queue, per message and per peer. */
    public record Limits(
            int batchMax,
            int queueMax,
            int maxMessageBytes,
            int maxMessageRecords,
            int maxPendingPerPeer,
            int maxConnections,
            int maxConnectionsPerIp) {}

    /** Where the daemon keeps its files. */
    public record Paths(Path dataDir, Path logDir, Path pidFile, boolean rotateLogs) {}

    /** The processing stage ('N' to 'Y'). */
    public record Processing(Duration sweepInterval, Duration linger, boolean inline) {}

    /** CURVE (server and client side) and the IP allow-list. */
    public record Security(
            Optional<Path> curveServerKey,
            Optional<Path> curveClientsDir,
            Optional<Path> curveClientKey,
            Optional<Path> curveServerPublic,
            List<String> allowIps) {

        public Security {
            allowIps = List.copyOf(allowIps);
        }

        public boolean curveEnabled() {
            return curveServerKey.isPresent();
        }
    }

    /** The account the daemon runs as after start-up, and its file mode creation mask. */
    public record RunAs(Optional<String> user, Optional<String> group, int umask) {}

    /** Where a configuration came from: the file (if any), the overrides, and the directory relative paths use. */
    public record Source(Optional<Path> file, Map<String, String> overrides, Path baseDir) {}
}
