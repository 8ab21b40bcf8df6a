package io.ingestd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real 3-node MariaDB Galera cluster on loopback, run by {@code libexec/galera}. Stopped by {@link #close()} and,
 * should the test JVM end first, by a shutdown hook: the script stops exactly the nodes of its own directory.
 */
public final class GaleraCluster implements AutoCloseable {
    private static final Path SCRIPT = Ingestd.HOME.resolve("libexec/galera");
    public final Path dir;
    public final List<String> hosts;
    /** What {@code galera start} said, e.g. "3 nodes Synced in 16 s: ...". */
    public final String startLine;

    private final Thread hook;

    private GaleraCluster(Path dir, List<String> hosts, String startLine, Thread hook) {
        this.dir = dir;
        this.hosts = hosts;
        this.startLine = startLine;
        this.hook = hook;
    }

    public static GaleraCluster start() throws IOException {
        Path dir = Files.createTempDirectory("ingestd-galera");
        var hook = new Thread(() -> script("stop", dir.toString()));
        Runtime.getRuntime().addShutdownHook(hook);
        String said = script("start", dir.toString());
        String hosts = script("hosts", dir.toString()).strip();
        return new GaleraCluster(dir, List.of(hosts.split(",")), said.strip(), hook);
    }

    /** {@code jdbc:mariadb:sequential://} over the nodes in the given order (1-based). */
    public String url(String database, int... order) {
        var h = new ArrayList<String>();
        for (int n : order) h.add(hosts.get(n - 1));
        return "jdbc:mariadb:sequential://" + String.join(",", h) + "/" + database + "?user=root";
    }

    /** One node only, reading only after it has applied everything committed in the cluster before the read. */
    public Connection connect(int node, String database) throws SQLException {
        var c = DriverManager.getConnection("jdbc:mariadb://" + hosts.get(node - 1) + "/" + database + "?user=root");
        try (var st = c.createStatement()) {
            st.execute("SET SESSION wsrep_sync_wait = 1");
        }
        return c;
    }

    public void kill(int node) {
        script("kill", String.valueOf(node), dir.toString());
    }

    /** Starts a killed node again at its recovered position (incremental transfer); returns once it is Synced. */
    public String restart(int node) {
        return script("restart", String.valueOf(node), dir.toString()).strip();
    }

    @Override
    public void close() {
        script("stop", dir.toString());
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs the same stop again, harmlessly
        }
    }

    private static String script(String... args) {
        var cmd = new ArrayList<String>();
        cmd.add(SCRIPT.toString());
        cmd.addAll(List.of(args));
        try {
            var p = new ProcessBuilder(cmd)
                    .redirectErrorStream(true)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("galera " + String.join(" ", args) + " did not finish within 180 s");
            }
            if (p.exitValue() != 0) throw new AssertionError("galera " + String.join(" ", args) + " failed: " + out);
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
