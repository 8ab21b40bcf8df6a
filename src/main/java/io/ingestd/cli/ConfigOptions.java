package io.ingestd.cli;

import io.ingestd.config.Config;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;

/** {@code --config FILE} and {@code --set key=value}, shared by every command that needs the configuration. */
public final class ConfigOptions {
    // an installed launcher sets INGESTD_CONFIG to the packaged file; unset (a source checkout): no default
    @Option(
            names = {"-c", "--config"},
            paramLabel = "FILE",
            defaultValue = "${env:INGESTD_CONFIG}",
            description = "configuration file (Java properties; default: $INGESTD_CONFIG if set)")
    Path file;

    @Option(
            names = {"-s", "--set"},
            paramLabel = "KEY=VALUE",
            description = "override one key (repeatable)")
    List<String> overrides = new ArrayList<>();

    Config.Source source() throws ConfigException {
        var map = new LinkedHashMap<String, String>();
        for (String kv : overrides) {
            var e = ConfigLoader.parseOverride(kv);
            map.put(e.getKey(), e.getValue());
        }
        Path cwd = Path.of("").toAbsolutePath();
        return new Config.Source(
                Optional.ofNullable(file).map(f -> cwd.resolve(f).normalize()), map, home());
    }

    /**
     * Where relative paths point when there is no configuration file: the installation's home (the launcher passes
     * it), never the current directory, which differs between an operator's shell, cron and systemd.
     */
    static Path home() {
        String h = System.getProperty("ingestd.home");
        return h != null ? Path.of(h).toAbsolutePath() : Path.of("").toAbsolutePath();
    }

    ConfigLoader.Loaded load() throws ConfigException {
        return ConfigLoader.load(source(), System.getenv());
    }
}
