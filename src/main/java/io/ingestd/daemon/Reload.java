package io.ingestd.daemon;

import io.ingestd.config.Config;
import io.ingestd.config.Key;
import io.ingestd.config.Keys;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Which keys a reload changed that only a restart can apply (they are kept as they were, and named). */
final class Reload {
    private Reload() {}

    static List<String> changedFixedKeys(Config old, Config next) {
        var changed = new ArrayList<String>();
        check(changed, Keys.LISTEN, old, next, Config::listen);
        check(changed, Keys.DB_URL, old, next, Config::dbUrl);
        check(changed, Keys.DB_USER, old, next, Config::dbUser);
        check(changed, Keys.DB_PASSWORD, old, next, Config::dbPassword);
        check(changed, Keys.DB_TABLE, old, next, Config::table);
        check(changed, Keys.DB_POOL_SIZE, old, next, Config::poolSize);
        check(changed, Keys.DB_WRITERS, old, next, Config::writers);
        check(changed, Keys.DATA_DIR, old, next, Config::dataDir);
        check(changed, Keys.LOG_DIR, old, next, Config::logDir);
        check(changed, Keys.PID_FILE, old, next, Config::pidFile);
        check(changed, Keys.QUEUE_MAX, old, next, Config::queueMax);
        check(changed, Keys.USER, old, next, Config::user);
        check(changed, Keys.GROUP, old, next, Config::group);
        check(changed, Keys.UMASK, old, next, Config::umask);
        check(changed, Keys.PROCESS_INLINE, old, next, Config::processInline);
        check(changed, Keys.METRICS_LISTEN, old, next, Config::metricsListen);
        check(changed, Keys.CURVE_SERVER_KEY, old, next, Config::curveServerKey);
        return changed;
    }

    private static void check(List<String> out, Key key, Config a, Config b, Function<Config, ?> f) {
        if (!Objects.equals(f.apply(a), f.apply(b))) out.add(key.name());
    }
}
