package io.ingestd.daemon;

import io.ingestd.config.Config;
import io.ingestd.config.Key;
import io.ingestd.config.Keys;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Which keys a reload changed that only a restart can apply (they are kept as they were, and named). Derived from
 * {@link Keys} ({@link Key#reloadable()}), so a key cannot be restart-only in the documentation and silently
 * ignored by a reload.
 */
final class Reload {
    private Reload() {}

    static List<String> changedFixedKeys(Config old, Config next) {
        var changed = new ArrayList<String>();
        for (Key k : Keys.ALL) {
            if (k.reloadable()) continue;
            boolean differs = k.secret()
                    ? !old.db().password().equals(next.db().password())
                    : !Objects.equals(
                            old.settings().get(k.name()), next.settings().get(k.name()));
            if (differs) changed.add(k.name());
        }
        return changed;
    }
}
