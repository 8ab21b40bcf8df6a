package io.ingestd.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The daemon's typed, validated, immutable configuration. Paths are absolute. {@link #source()} keeps where it
 * came from (file and {@code --set} overrides) so that a reload can read it again the same way.
 */
public record Config(
        List<String> listen,
        String dbUrl,
        String dbUser,
        Secret dbPassword,
        String table,
        int poolSize,
        int writers,
        Duration networkTimeout,
        Duration retryWindow,
        Path dataDir,
        Path logDir,
        String logLevel,
        Path pidFile,
        int batchMax,
        int queueMax,
        int maxMessageBytes,
        int maxMessageRecords,
        int maxPendingPerPeer,
        Optional<String> user,
        Optional<String> group,
        int umask,
        Duration sweepInterval,
        Duration processLinger,
        boolean processInline,
        Optional<String> metricsListen,
        Optional<Path> curveServerKey,
        Optional<Path> curveClientsDir,
        Optional<Path> curveClientKey,
        Optional<Path> curveServerPublic,
        List<String> allowIps,
        boolean allowPlaintext,
        SpoolConfig spool,
        Source source) {

    /** Where a configuration came from: the file (if any), the overrides, and the directory relative paths use. */
    public record Source(Optional<Path> file, Map<String, String> overrides, Path baseDir) {}

    /** The database URL without credentials, for logs and status. */
    public String dbUrlForDisplay() {
        return dbUrl.replaceAll("(?i)(password|pwd)=[^;&]*", "$1=***");
    }

    public boolean curveEnabled() { return curveServerKey.isPresent(); }
}
