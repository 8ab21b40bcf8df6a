package io.ingestd.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The real {@code bin/ingestd} as a user runs it: one instance with its own directory, port and database,
 * driven through the CLI, so tests see exit codes and messages exactly as people do.
 */
public final class Ingestd {
    public static final Path HOME =
            Path.of(System.getProperty("ingestd.home", ".")).toAbsolutePath();
    public static final Path LAUNCHER = HOME.resolve("bin/ingestd");

    public final Path dir;
    public final int port;
    public final String dbUrl;
    public final List<String> settings = new ArrayList<>();
    /** Extra environment for every CLI run of this instance (e.g. INGESTD_CLASSPATH). */
    public final Map<String, String> env = new java.util.HashMap<>();

    /** Installs the test FeeProcessor that journals each processing into table fee_journal. */
    public Ingestd withJournalingProcessor() {
        Path classes = HOME.resolve("target/test-classes");
        env.put("INGESTD_CLASSPATH", classes + ":" + classes.resolve("processor"));
        return this;
    }

    /** What one CLI run printed and returned. */
    public record Result(int exitCode, String out, String err) {
        public String all() {
            return out + err;
        }
    }

    public Ingestd(Path dir, String dbUrl) throws IOException {
        this.dir = dir;
        this.port = freePort();
        this.dbUrl = dbUrl;
        set("listen", endpoint());
        set("db.url", dbUrl);
        set("data.dir", dir.resolve("data").toString());
        set("log.dir", dir.resolve("log").toString());
        set("metrics.listen", "127.0.0.1:" + freePort());
        // the tests run as root and keep it, in directories only root can reach; the drop has tests of its own
        if (ProcessHandle.current().info().user().orElse("").equals("root")) set("user", "root");
        LOGS.put(endpoint(), log());
    }

    /** The log of the instance listening on an endpoint, so a client that gets no reply can show what the daemon said. */
    static final Map<String, Path> LOGS = new java.util.concurrent.ConcurrentHashMap<>();

    static String logTail(String endpoint) {
        Path log = LOGS.get(endpoint);
        try {
            if (log == null || !Files.exists(log)) return "(no log)";
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** A thread dump of the daemon on that endpoint (jcmd), for a test that failed waiting on it. */
    static String threadDump(String endpoint) {
        try {
            Path pid = LOGS.get(endpoint).getParent().getParent().resolve("data/ingestd.pid");
            String p = Files.readAllLines(pid).getFirst().strip();
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            var proc = new ProcessBuilder(jcmd.toString(), p, "Thread.print")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            proc.waitFor(20, TimeUnit.SECONDS);
            return out.length() > 20000 ? out.substring(0, 20000) : out;
        } catch (Exception e) {
            return "(no thread dump: " + e + ")";
        }
    }

    public static Ingestd on(TestDatabases db, Path dir) throws IOException, SQLException {
        return new Ingestd(dir, db.create(dir));
    }

    public Ingestd set(String key, String value) {
        settings.removeIf(s -> s.startsWith(key + "="));
        settings.add(key + "=" + value);
        return this;
    }

    public String endpoint() {
        return "tcp://127.0.0.1:" + port;
    }

    public Path pidFile() {
        return dir.resolve("data/ingestd.pid");
    }

    public Path log() {
        return dir.resolve("log/ingestd.log");
    }

    public Path rejectLog() {
        return dir.resolve("log/rejects.log");
    }

    public Result start() {
        return cli("start");
    }

    public Result stop() {
        return cli("stop");
    }

    public Result status() {
        return cli("status");
    }

    public Result startOk() {
        var r = start();
        if (r.exitCode() != 0) throw new AssertionError("start failed: " + r);
        return r;
    }

    /** Runs {@code bin/ingestd COMMAND --set ... ARGS}. */
    public Result cli(String command, String... args) {
        var cmd = new ArrayList<String>();
        cmd.add(command);
        for (String s : settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        cmd.addAll(List.of(args));
        return run(env, cmd.toArray(String[]::new));
    }

    public static Result run(Map<String, String> env, String... args) {
        return run(List.of(), null, env, args);
    }

    /** Like {@link #cli}, from another working directory and behind a command prefix (e.g. setpriv as nobody). */
    public Result cliIn(Path cwd, List<String> prefix, String command, String... args) {
        var cmd = new ArrayList<String>();
        cmd.add(command);
        for (String s : settings) {
            cmd.add("--set");
            cmd.add(s);
        }
        cmd.addAll(List.of(args));
        return run(prefix, cwd, env, cmd.toArray(String[]::new));
    }

    public static Result run(List<String> prefix, Path cwd, Map<String, String> env, String... args) {
        var cmd = new ArrayList<String>(prefix);
        cmd.add(LAUNCHER.toString());
        cmd.addAll(List.of(args));
        try {
            var pb = new ProcessBuilder(cmd);
            if (cwd != null) pb.directory(cwd.toFile());
            pb.environment().putAll(env);
            Path out = Files.createTempFile("ingestd-out", ".txt");
            Path err = Files.createTempFile("ingestd-err", ".txt");
            pb.redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("bin/ingestd " + String.join(" ", args) + " did not finish within 180 s");
            }
            var r = new Result(
                    p.exitValue(),
                    Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The body of a GET of {@code path} (/metrics, /health) on the instance's metrics endpoint. */
    public String http(String path) throws IOException, InterruptedException {
        String listen = settings.stream()
                .filter(x -> x.startsWith("metrics.listen="))
                .findFirst()
                .orElseThrow()
                .substring("metrics.listen=".length());
        return java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://" + listen + path))
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString())
                .body();
    }

    /** The value of one metric (no labels); 0 when it is not there. */
    public long metric(String name) throws IOException, InterruptedException {
        var m = java.util.regex.Pattern.compile("(?m)^" + name + " ([0-9.E+]+)$")
                .matcher(http("/metrics"));
        return m.find() ? (long) Double.parseDouble(m.group(1)) : 0;
    }

    /** The pid in the PID file. */
    public int pid() throws IOException {
        return Integer.parseInt(Files.readAllLines(pidFile()).getFirst().strip());
    }

    /** Stops the instance if it still runs; for @AfterEach. */
    public void cleanUp() {
        if (Files.exists(pidFile())) cli("stop", "--timeout", "10");
    }

    public static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    public static Duration timeout() {
        return Duration.ofSeconds(60);
    }
}
