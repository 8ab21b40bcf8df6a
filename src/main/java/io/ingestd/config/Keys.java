package io.ingestd.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Every configuration key ingestd knows, in the order the documentation lists them. */
public final class Keys {
    private Keys() {}

    // filled by key() and secret() as the constants below are initialised, so a key cannot be declared and forgotten
    private static final List<Key> DECLARED = new ArrayList<>();

    public static final Key LISTEN = key(
            "listen", "tcp://127.0.0.1:5555", "ZeroMQ endpoints to bind, comma-separated (`tcp://host:port`)", false);
    public static final Key DB_URL = key(
            "db.url",
            "",
            "JDBC URL starting with " + DatabaseKind.list("`") + "; empty = embedded H2 in `data.dir`",
            false);
    public static final Key DB_USER = key("db.user", "", "database user", false);
    public static final Key DB_PASSWORD = secret(
            "db.password",
            "database password (prefer `db.password.file` or the environment variable INGESTD_DB_PASSWORD)");
    public static final Key DB_PASSWORD_FILE = key(
            "db.password.file",
            "",
            "file holding the database password (first line); must not be group- or world-readable",
            false);
    public static final Key DB_TABLE = key("db.table", "fee", "table the records are written to", false);
    public static final Key DB_POOL_SIZE = key(
            "db.pool.size",
            "4",
            "database connections (writers + processing + spare); "
                    + "the writers open up to `db.writers` more, in autocommit mode, for groups of one-record messages",
            false);
    public static final Key DB_WRITERS =
            key("db.writers", "2", "writer threads; each commits a group of messages at a time", false);
    public static final Key DB_NETWORK_TIMEOUT = key(
            "db.network-timeout",
            "10s",
            "longest wait for one database round trip before the connection is considered lost",
            false);
    public static final Key DB_RETRY_WINDOW = key(
            "db.retry-window",
            "5s",
            "how long a message waits for the database (retrying with backoff) before it is answered RETRY",
            true);
    public static final Key DATA_DIR =
            key("data.dir", "data", "directory for the embedded database and the PID file", false);
    public static final Key LOG_DIR = key("log.dir", "log", "directory for `ingestd.log` and `rejects.log`", false);
    public static final Key LOG_ROTATE = key(
            "log.rotate",
            "self",
            "`self`: ingestd rolls its logs (daily and at 100 MB, 14 days kept, gzip); "
                    + "`external`: plain files that logrotate (or another tool) moves, then sends SIGUSR1 to reopen",
            false);
    public static final Key LOG_LEVEL = key("log.level", "info", "log level: error, warn, info, debug or trace", true);
    public static final Key PID_FILE = key("pid.file", "", "PID file; empty = `ingestd.pid` in `data.dir`", false);
    public static final Key BATCH_MAX = key("batch.max", "5000", "most records committed in one transaction", true);
    public static final Key QUEUE_MAX = key(
            "queue.max",
            "100000",
            "most records waiting for the writers; when full, the socket is not read (backpressure)",
            false);
    public static final Key MESSAGE_MAX_BYTES = key(
            "message.max-bytes", "1048576", "largest accepted message body in bytes; larger is answered FALSE", true);
    public static final Key MESSAGE_MAX_RECORDS =
            key("message.max-records", "10000", "most records in one message; more is answered FALSE", true);
    public static final Key MESSAGE_MAX_PENDING_PER_PEER = key(
            "message.max-pending-per-peer",
            "1000",
            "most unanswered requests one connection may have; beyond it requests are answered FALSE",
            true);
    public static final Key LISTEN_MAX_CONNECTIONS = key(
            "listen.max-connections",
            "1000",
            "most client connections open at once; one more is closed at connect (logged, counted)",
            true);
    public static final Key LISTEN_MAX_CONNECTIONS_PER_IP = key(
            "listen.max-connections-per-ip",
            "200",
            "most client connections open at once from one IP address; one more is closed at connect",
            true);
    public static final Key USER = key(
            "user",
            "",
            "user to become when started as root; empty = `ingestd` if that user exists, else `nobody` (warned "
                    + "about); `root` stays root (warned about)",
            false);
    public static final Key GROUP = key("group", "", "group to run as; empty = the user's primary group", false);
    public static final Key UMASK = key("umask", "027", "file mode creation mask of the daemon (octal)", false);
    public static final Key PROCESS_SWEEP_INTERVAL = key(
            "process.sweep-interval",
            "10s",
            "how often rows still 'N' (e.g. left by a crash or another node) are looked for and processed",
            true);

    public static final Key PROCESS_LINGER = key(
            "process.linger",
            "20ms",
            "how long the processing stage waits to gather more committed records into one 'N' to 'Y' transaction "
                    + "(fewer commits under load; acknowledgements never wait for it)",
            true);
    public static final Key PROCESS_INLINE = key(
            "process.inline",
            "true",
            "with no FeeProcessor installed, insert rows as 'Y' in the writer's transaction: there is nothing to "
                    + "process, so the commit is the processing; `false` inserts 'N' and marks 'Y' in a second transaction, "
                    + "as with a FeeProcessor (each row written twice)",
            false);
    public static final Key SPOOL = key(
            "spool",
            "on",
            "`on`: when the database is away, messages are appended to a local spool and forced to disk before their "
                    + "TRUE, then written to the database when it returns; `off`: they are answered RETRY after "
                    + "`db.retry-window`",
            false);
    public static final Key SPOOL_DIR = key("spool.dir", "", "spool directory; empty = `spool` in `data.dir`", false);
    public static final Key SPOOL_MAX_BYTES = key(
            "spool.max-bytes",
            "1g",
            "largest size of the spool (bytes, or with k, m, g); when full, messages are answered RETRY",
            false);
    public static final Key METRICS_LISTEN = key(
            "metrics.listen",
            "127.0.0.1:9555",
            "host:port of the Prometheus `/metrics` and `/health` endpoint; `off` disables it",
            false);
    public static final Key CURVE_SERVER_KEY = key(
            "curve.server.key",
            "",
            "server secret certificate (`NAME.key_secret` from `ingestd keygen`); setting it turns CURVE on",
            false);
    public static final Key CURVE_CLIENTS_DIR = key(
            "curve.clients.dir",
            "",
            "directory of allowed client public certificates (`*.key`); re-read on reload: a removed key's "
                    + "connections get FALSE for every further request",
            true);
    public static final Key CURVE_ALLOW_ANY_CLIENT = key(
            "curve.allow-any-client",
            "false",
            "with CURVE on and no `curve.clients.dir`: admit any client key pair (encryption without "
                    + "authentication; warned about at every start). Without it, that configuration is refused",
            false);
    public static final Key CURVE_CLIENT_KEY = key(
            "curve.client.key",
            "",
            "for `send` and `bench`: this client's secret certificate (`NAME.key_secret`)",
            false);
    public static final Key CURVE_SERVER_PUBLIC = key(
            "curve.server.public", "", "for `send` and `bench`: the server's public certificate (`NAME.key`)", false);
    public static final Key SECURITY_ALLOW_IPS = key(
            "security.allow-ips",
            "",
            "comma-separated client IP addresses or CIDR blocks (`10.0.0.5`, `127.0.0.0/8`, `::1`) allowed to "
                    + "connect, with or without CURVE; others are refused at connect; empty = any",
            false);
    public static final Key SECURITY_ALLOW_PLAINTEXT = key(
            "security.allow-plaintext",
            "false",
            "allow a non-loopback `listen` without CURVE (warned about at every start)",
            false);

    public static final List<Key> ALL = List.copyOf(DECLARED);

    public static final Map<String, Key> BY_NAME = byName();

    private static Map<String, Key> byName() {
        var m = new LinkedHashMap<String, Key>();
        for (Key k : ALL) m.put(k.name(), k);
        return Map.copyOf(m);
    }

    private static Key key(String name, String def, String meaning, boolean reloadable) {
        return declare(new Key(name, def, meaning, reloadable, false));
    }

    private static Key secret(String name, String meaning) {
        return declare(new Key(name, "", meaning, false, true));
    }

    private static Key declare(Key k) {
        DECLARED.add(k);
        return k;
    }

    /** The configuration reference as a markdown table, for the README. */
    public static String markdownTable() {
        var sb = new StringBuilder("| key | default | reload | meaning |\n|---|---|---|---|\n");
        for (Key k : ALL) {
            sb.append("| `")
                    .append(k.name())
                    .append("` | ")
                    .append(k.defaultValue().isEmpty() ? "" : "`" + k.defaultValue() + "`")
                    .append(" | ")
                    .append(k.reloadable() ? "yes" : "restart")
                    .append(" | ")
                    .append(k.meaning())
                    .append(" |\n");
        }
        return sb.toString();
    }
}
