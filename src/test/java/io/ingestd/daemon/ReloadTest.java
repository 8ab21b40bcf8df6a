package io.ingestd.daemon;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.config.Config;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import io.ingestd.config.Keys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

class ReloadTest {
    @TempDir
    Path dir;

    private Config load(Map<String, String> overrides) throws ConfigException {
        return ConfigLoader.load(new Config.Source(Optional.empty(), overrides, dir), Map.of())
                .config();
    }

    @Test
    void namesEveryRestartOnlyKeyThatChanged() throws Exception {
        var old = load(Map.of());
        var next = load(Map.of("security.allow-ips", "127.0.0.1", "db.network-timeout", "3s", "batch.max", "10"));
        assertThat(Reload.changedFixedKeys(old, next)).containsExactly("db.network-timeout", "security.allow-ips");
    }

    @Test
    void aChangedPasswordIsNamedWithoutItsValue() throws Exception {
        var old = load(Map.of("db.password", "one"));
        var next = load(Map.of("db.password", "two"));
        assertThat(Reload.changedFixedKeys(old, next)).containsExactly("db.password");
    }

    @Test
    void reloadableKeysAreNeverNamed() throws Exception {
        var old = load(Map.of());
        for (var k : Keys.ALL) {
            if (!k.reloadable() || k.name().equals("curve.clients.dir")) continue;
            var value =
                    switch (k.name()) {
                        case "log.level" -> "debug";
                        case "db.retry-window", "process.sweep-interval", "process.linger" -> "7s";
                        default -> "7";
                    };
            assertThat(Reload.changedFixedKeys(old, load(Map.of(k.name(), value))))
                    .as(k.name())
                    .isEmpty();
        }
    }
}
