package io.ingestd.daemon;

import io.ingestd.config.Config;
import io.ingestd.config.ConfigLoader;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * How {@code start} passes the configuration to the daemon process: over its stdin pipe, never on the command
 * line or in the environment (both are visible to other users in /proc), then the pipe is closed. It carries the
 * config source (file, overrides, base directory) so the daemon can reload it the same way, plus the password
 * from the environment.
 */
final class Handoff {
    private static final String FILE = "@file", BASE = "@base", ENV_PASSWORD = "@env.password";

    private Handoff() {}

    static void write(Config.Source source, Map<String, String> env, OutputStream out) throws IOException {
        var p = new Properties();
        source.file().ifPresent(f -> p.setProperty(FILE, f.toAbsolutePath().toString()));
        p.setProperty(BASE, source.baseDir().toAbsolutePath().toString());
        String pw = env.get(ConfigLoader.PASSWORD_ENV);
        if (pw != null) p.setProperty(ENV_PASSWORD, pw);
        source.overrides().forEach(p::setProperty);
        var w = new StringWriter();
        p.store(w, null);
        out.write(w.toString().getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    record Received(Config.Source source, Map<String, String> env) {}

    /** What {@code start} handed over; empty if it closed the pipe without a word (it did not go on). */
    static Optional<Received> read(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        if (bytes.length == 0) return Optional.empty();
        var p = new Properties();
        p.load(new StringReader(new String(bytes, StandardCharsets.UTF_8)));
        var overrides = new LinkedHashMap<String, String>();
        for (String k : p.stringPropertyNames()) if (!k.startsWith("@")) overrides.put(k, p.getProperty(k));
        var env = new LinkedHashMap<String, String>();
        if (p.getProperty(ENV_PASSWORD) != null) env.put(ConfigLoader.PASSWORD_ENV, p.getProperty(ENV_PASSWORD));
        var source = new Config.Source(
                Optional.ofNullable(p.getProperty(FILE)).map(Path::of), overrides, Path.of(p.getProperty(BASE, "/")));
        return Optional.of(new Received(source, env));
    }
}
