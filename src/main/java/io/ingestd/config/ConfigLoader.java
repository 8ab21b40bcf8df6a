package io.ingestd.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Builds a {@link Config} from built-in defaults, a Java properties file and {@code --set} overrides, in that
 * order. Every problem is collected (not just the first) and names its key, like {@code nginx -t}.
 */
public final class ConfigLoader {
    public static final String PASSWORD_ENV = "INGESTD_DB_PASSWORD";
    /**
     * Not a real environment variable: what a reload passes as the password the daemon runs with. The password is
     * restart-only, and after the privilege drop a root-only db.password.file cannot be read again; without this
     * every reload would fail on it, curve.clients.dir revocations included.
     */
    public static final String RUNNING_PASSWORD = "ingestd.running-password";

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    private static final Set<String> LEVELS = Set.of("error", "warn", "info", "debug", "trace");

    private final Map<String, String> values = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();
    private final Path baseDir;

    private ConfigLoader(Path baseDir) {
        this.baseDir = baseDir;
    }

    /** A loaded configuration and what is worth warning about (but not refusing). */
    public record Loaded(Config config, List<String> warnings) {}

    public static Loaded load(Config.Source source, Map<String, String> env) throws ConfigException {
        var loader = new ConfigLoader(
                source.file().map(f -> f.toAbsolutePath().getParent()).orElse(source.baseDir()));
        for (Key k : Keys.ALL) loader.values.put(k.name(), k.defaultValue());
        source.file().ifPresent(loader::readFile);
        source.overrides().forEach(loader::put);
        var config = loader.build(source, env);
        if (!loader.problems.isEmpty()) throw new ConfigException(loader.problems);
        return new Loaded(config, List.copyOf(loader.warnings));
    }

    /**
     * Only what finds a running daemon (its PID file, from {@code data.dir} and {@code pid.file}), for commands that
     * act on one (stop, status, reload): a mistake elsewhere in the file must not keep an operator from stopping
     * it. Throws only for problems with those keys or an unreadable file; the others come back as warnings.
     */
    public static Located locate(Config.Source source) throws ConfigException {
        var loader = new ConfigLoader(
                source.file().map(f -> f.toAbsolutePath().getParent()).orElse(source.baseDir()));
        for (Key k : Keys.ALL) loader.values.put(k.name(), k.defaultValue());
        source.file().ifPresent(loader::readFile);
        source.overrides().forEach(loader::put);
        Path dataDir = loader.path(Keys.DATA_DIR);
        String pid = loader.get(Keys.PID_FILE);
        Path pidFile = pid.isEmpty() ? dataDir.resolve("ingestd.pid") : loader.path(Keys.PID_FILE);
        var fatal = loader.problems.stream()
                .filter(p -> p.startsWith(Keys.DATA_DIR.name())
                        || p.startsWith(Keys.PID_FILE.name())
                        || p.startsWith("cannot read config file"))
                .toList();
        if (!fatal.isEmpty()) throw new ConfigException(fatal);
        return new Located(pidFile, List.copyOf(loader.problems));
    }

    /** Where a daemon's PID file is, and the problems of the rest of the configuration. */
    public record Located(Path pidFile, List<String> otherProblems) {}

    /** Parses {@code key=value} as given to {@code --set}. */
    public static Map.Entry<String, String> parseOverride(String kv) throws ConfigException {
        int eq = kv.indexOf('=');
        if (eq <= 0) throw new ConfigException("--set " + kv + ": expected key=value");
        if (kv.substring(0, eq).trim().equals(Keys.DB_PASSWORD.name())) {
            // argv is world-readable (ps, /proc/PID/cmdline): a secret there is a secret no more
            throw new ConfigException("--set db.password: a password on the command line can be read by every user "
                    + "(ps); put it in a file named by db.password.file (mode 0600), or in INGESTD_DB_PASSWORD");
        }
        return Map.entry(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
    }

    private void readFile(Path file) {
        var props = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(r);
        } catch (IOException e) {
            problems.add("cannot read config file " + file + ": " + IoReason.of(e) + " (check --config)");
            return;
        }
        props.stringPropertyNames().stream()
                .sorted()
                .forEach(k -> put(k, props.getProperty(k).trim()));
        if (!props.getProperty(Keys.DB_PASSWORD.name(), "").isEmpty() && isReadableByOthers(file)) {
            warnings.add("config file " + file + " holds db.password and is world-readable; chmod o-r it "
                    + "or use db.password.file");
        }
    }

    private void put(String key, String value) {
        if (!Keys.BY_NAME.containsKey(key)) {
            problems.add("unknown key '" + key + "'" + suggestion(key));
            return;
        }
        values.put(key, value);
    }

    private static String suggestion(String key) {
        return Keys.ALL.stream()
                .map(Key::name)
                .filter(n -> n.replace(".", "")
                                .replace("-", "")
                                .equalsIgnoreCase(
                                        key.replace(".", "").replace("-", "").replace("_", ""))
                        || n.startsWith(key)
                        || key.startsWith(n))
                .findFirst()
                .map(n -> " (did you mean '" + n + "'?)")
                .orElse(" (see: ingestd config-keys)");
    }

    private Config build(Config.Source source, Map<String, String> env) {
        Path dataDir = path(Keys.DATA_DIR);
        Path logDir = path(Keys.LOG_DIR);
        String pid = get(Keys.PID_FILE);
        Path pidFile = pid.isEmpty() ? dataDir.resolve("ingestd.pid") : path(Keys.PID_FILE);
        String url = get(Keys.DB_URL);
        // WRITE_DELAY=0: H2 writes each commit to its file before returning, so a TRUE survives kill -9
        if (url.isEmpty()) url = "jdbc:h2:file:" + dataDir.resolve("ingestd") + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0";
        else if (url.startsWith("jdbc:mysql:")) {
            problems.add("db.url: '" + url.replaceAll("[?;].*", "") + "': jdbc:mysql: URLs are not taken by the "
                    + "MariaDB driver ingestd ships; write jdbc:mariadb:"
                    + url.substring("jdbc:mysql:".length()).replaceAll("[?;].*", "")
                    + " (it speaks to MySQL too)");
        } else if (url.startsWith("jdbc:h2:mem:") || url.equals("jdbc:h2:mem")) {
            problems.add(
                    "db.url: '" + url.replaceAll(";.*", "") + "' is an in-memory database: acknowledged records "
                            + "would vanish when ingestd stops; use jdbc:h2:file:PATH, or leave db.url empty for H2 in data.dir");
        } else if (DatabaseKind.of(url).isEmpty()) {
            problems.add("db.url: unsupported database '" + DatabaseKind.withoutParameters(url) + "' (use "
                    + DatabaseKind.list("") + ")");
        }
        String table = get(Keys.DB_TABLE);
        if (!table.matches("[A-Za-z_][A-Za-z0-9_]{0,47}")) {
            problems.add("db.table: '" + table + "' is not a plain SQL identifier (letters, digits, _)");
        }
        List<String> listen = list(Keys.LISTEN);
        if (listen.isEmpty()) problems.add("listen: at least one endpoint is required");
        for (String ep : listen) {
            Endpoints.problem(ep).ifPresent(why -> problems.add("listen: '" + ep + "': " + why));
        }
        String rotate = get(Keys.LOG_ROTATE).toLowerCase(Locale.ROOT);
        if (!rotate.equals("self") && !rotate.equals("external")) {
            problems.add("log.rotate: '" + rotate + "' is not self or external");
        }
        String level = get(Keys.LOG_LEVEL).toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) problems.add("log.level: '" + level + "' is not one of " + LEVELS);
        int queueMax = positive(Keys.QUEUE_MAX);
        int maxRecords = positive(Keys.MESSAGE_MAX_RECORDS);
        if (queueMax > 0 && maxRecords > queueMax) {
            problems.add("message.max-records: " + maxRecords + " is larger than queue.max " + queueMax);
        }
        int umask = umask();
        String metrics = get(Keys.METRICS_LISTEN);
        if (!metrics.equals("off")) {
            Endpoints.hostPortProblem(metrics)
                    .ifPresent(why -> problems.add("metrics.listen: '" + metrics + "': " + why + ", or off"));
        }
        List<String> allowIps = list(Keys.SECURITY_ALLOW_IPS);
        for (String ip : allowIps) {
            if (IpRange.parse(ip).isEmpty()) {
                problems.add("security.allow-ips: '" + ip + "' is not an IP address or CIDR block (like 10.0.0.5, "
                        + "127.0.0.0/8 or ::1)");
            }
        }
        boolean allowAnyClient = bool(Keys.CURVE_ALLOW_ANY_CLIENT);
        if (!get(Keys.CURVE_SERVER_KEY).isEmpty() && get(Keys.CURVE_CLIENTS_DIR).isEmpty()) {
            if (allowAnyClient) {
                warnings.add("curve.allow-any-client=true: CURVE encrypts, but any client key pair may write records "
                        + "(no client authentication); set curve.clients.dir to admit only known clients");
            } else {
                problems.add("curve.clients.dir: not set, so with curve.server.key set any client key pair would be "
                        + "admitted; set curve.clients.dir to the directory of allowed client public keys (*.key), or "
                        + "curve.allow-any-client=true for encryption without client authentication");
            }
        }
        var db = new Config.Db(
                url,
                get(Keys.DB_USER),
                password(env),
                table,
                positive(Keys.DB_POOL_SIZE),
                positive(Keys.DB_WRITERS),
                duration(Keys.DB_NETWORK_TIMEOUT),
                duration(Keys.DB_RETRY_WINDOW));
        var limits = new Config.Limits(
                positive(Keys.BATCH_MAX),
                queueMax,
                positive(Keys.MESSAGE_MAX_BYTES),
                maxRecords,
                positive(Keys.MESSAGE_MAX_PENDING_PER_PEER),
                positive(Keys.LISTEN_MAX_CONNECTIONS),
                positive(Keys.LISTEN_MAX_CONNECTIONS_PER_IP));
        var paths = new Config.Paths(dataDir, logDir, pidFile, !rotate.equals("external"));
        var processing = new Config.Processing(
                duration(Keys.PROCESS_SWEEP_INTERVAL), duration(Keys.PROCESS_LINGER), bool(Keys.PROCESS_INLINE));
        var security = new Config.Security(
                optional(Keys.CURVE_SERVER_KEY).map(this::resolve),
                optional(Keys.CURVE_CLIENTS_DIR).map(this::resolve),
                optional(Keys.CURVE_CLIENT_KEY).map(this::resolve),
                optional(Keys.CURVE_SERVER_PUBLIC).map(this::resolve),
                allowIps);
        var runAs = new Config.RunAs(optional(Keys.USER), optional(Keys.GROUP), umask);
        checkPlaintext(listen);
        return new Config(
                listen,
                db,
                limits,
                paths,
                processing,
                security,
                runAs,
                level,
                metrics.equals("off") ? Optional.empty() : Optional.of(metrics),
                spool(dataDir),
                settings(),
                source);
    }

    /** The effective text of every key but the secrets (a reload compares them to name what changed). */
    private Map<String, String> settings() {
        var m = new LinkedHashMap<String, String>();
        for (Key k : Keys.ALL) if (!k.secret()) m.put(k.name(), values.get(k.name()));
        return m;
    }

    private SpoolConfig spool(Path dataDir) {
        String on = get(Keys.SPOOL).toLowerCase(Locale.ROOT);
        if (!on.equals("on") && !on.equals("off")) problems.add("spool: '" + get(Keys.SPOOL) + "' is not on or off");
        Path dir = get(Keys.SPOOL_DIR).isEmpty() ? dataDir.resolve("spool") : path(Keys.SPOOL_DIR);
        var m = Pattern.compile("(\\d+)([kmg]?)")
                .matcher(get(Keys.SPOOL_MAX_BYTES).trim().toLowerCase(Locale.ROOT));
        long max = 0;
        if (m.matches()) {
            int shift =
                    switch (m.group(2)) {
                        case "k" -> 10;
                        case "m" -> 20;
                        case "g" -> 30;
                        default -> 0;
                    };
            try {
                max = Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
            } catch (ArithmeticException | NumberFormatException e) {
                max = 0;
            }
        }
        if (max < 4096)
            problems.add("spool.max-bytes: '" + get(Keys.SPOOL_MAX_BYTES) + "' is not a size of at least 4096 "
                    + "bytes like 1g, 512m or 65536");
        return new SpoolConfig(on.equals("on"), dir, max);
    }

    /**
     * Plaintext is for loopback only: anyone who can reach a LAN port could otherwise write records. A
     * non-loopback endpoint needs CURVE or an explicit security.allow-plaintext=true (warned about at each start).
     */
    private void checkPlaintext(List<String> listen) {
        boolean allowed = bool(Keys.SECURITY_ALLOW_PLAINTEXT);
        if (!get(Keys.CURVE_SERVER_KEY).isEmpty()) return;
        for (String ep : listen) {
            if (!ep.startsWith("tcp://") || isLoopback(ep)) continue; // not tcp: reported above, or local
            if (allowed)
                warnings.add("listen: " + ep + " is reachable from the network without encryption or client "
                        + "authentication (security.allow-plaintext=true); set curve.server.key");
            else
                problems.add(
                        "listen: " + ep + " is not a loopback address and CURVE is off; anyone who can reach it "
                                + "could write records. Set curve.server.key (see README, Security), or security.allow-plaintext=true");
        }
    }

    static boolean isLoopback(String endpoint) {
        if (endpoint.startsWith("ipc://") || endpoint.startsWith("inproc://")) return true;
        String host = endpoint.replaceFirst("^tcp://", "")
                .replaceFirst(":\\d*$", "")
                .replace("[", "")
                .replace("]", "");
        if (host.equals("localhost")) return true;
        // an address literal only, parsed (never looked up): 127.0.0.1.example.com or 127.x is a name, not loopback
        boolean literal =
                host.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (host.contains(":") && host.matches("[0-9a-fA-F:.]+"));
        if (!literal) return false;
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    private Secret password(Map<String, String> env) {
        String file = get(Keys.DB_PASSWORD_FILE);
        String inline = get(Keys.DB_PASSWORD);
        String fromEnv = env.getOrDefault(PASSWORD_ENV, "");
        int given = (file.isEmpty() ? 0 : 1) + (inline.isEmpty() ? 0 : 1);
        if (given > 1) problems.add("db.password and db.password.file are both set; keep one");
        if (!file.isEmpty()) {
            Path p = resolve(file);
            try {
                if (isReadableByGroupOrOthers(p)) {
                    problems.add("db.password.file: " + p + " is readable by group or others; chmod 600 it");
                    return Secret.NONE;
                }
                var lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                return new Secret(lines.isEmpty() ? "" : lines.getFirst().strip());
            } catch (IOException e) {
                if (e instanceof java.nio.file.AccessDeniedException && env.containsKey(RUNNING_PASSWORD)) {
                    warnings.add("db.password.file: " + p + " cannot be read by the daemon's user (root's only, as it "
                            + "should be): the password the daemon started with stays in effect (it is restart-only)");
                    return new Secret(env.get(RUNNING_PASSWORD));
                }
                problems.add("db.password.file: cannot read " + p + ": " + IoReason.of(e));
                return Secret.NONE;
            }
        }
        return new Secret(inline.isEmpty() ? fromEnv : inline);
    }

    private String get(Key k) {
        return java.util.Objects.requireNonNull(values.get(k.name()), k.name()); // every key has its default
    }

    private Optional<String> optional(Key k) {
        String v = get(k);
        return v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    private List<String> list(Key k) {
        return Arrays.stream(get(k).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    private Path path(Key k) {
        String v = get(k);
        if (v.isEmpty()) {
            problems.add(k.name() + ": must not be empty");
            return baseDir;
        }
        return resolve(v);
    }

    private Path resolve(String v) {
        return baseDir.resolve(v).toAbsolutePath().normalize();
    }

    private int positive(Key k) {
        String v = get(k).replace("_", "");
        try {
            int n = Integer.parseInt(v);
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        problems.add(k.name() + ": '" + get(k) + "' is not a positive integer");
        return 1;
    }

    private boolean bool(Key k) {
        String v = get(k).toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) return v.equals("true");
        problems.add(k.name() + ": '" + get(k) + "' is not true or false");
        return false;
    }

    private Duration duration(Key k) {
        var m = DURATION.matcher(get(k).trim());
        if (!m.matches()) {
            problems.add(k.name() + ": '" + get(k) + "' is not a duration like 500ms, 10s, 5m");
            return Duration.ofSeconds(1);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
    }

    private int umask() {
        String v = get(Keys.UMASK);
        if (v.matches("0?[0-7]{1,3}")) return Integer.parseInt(v, 8);
        problems.add("umask: '" + v + "' is not an octal mask like 027");
        return 027;
    }

    private static boolean isReadableByGroupOrOthers(Path p) throws IOException {
        var perms = Files.getPosixFilePermissions(p);
        return perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ);
    }

    private static boolean isReadableByOthers(Path p) {
        try {
            return Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException e) {
            return false;
        }
    }
}
