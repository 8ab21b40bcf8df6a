package io.ingestd.daemon;

import java.util.LinkedHashMap;
import java.util.Map;

/** The control request of {@code ingestd reload --set K=V}: {@code reload K=V<TAB>K=V...} (one line). */
public final class ReloadRequest {
    private ReloadRequest() {}

    public static String of(Map<String, String> overrides) {
        var sb = new StringBuilder("reload ");
        overrides.forEach((k, v) -> sb.append(k)
                .append('=')
                .append(v.replace('\t', ' ').replace('\n', ' '))
                .append('\t'));
        return sb.toString();
    }

    static Map<String, String> overrides(String request) {
        return parse(request.substring("reload ".length()));
    }

    /** The overrides of a {@code K=V<TAB>K=V...} line (the daemon's answer to {@code overrides}). */
    public static Map<String, String> parse(String line) {
        var m = new LinkedHashMap<String, String>();
        for (String kv : line.split("\t", -1)) {
            int eq = kv.indexOf('=');
            if (eq > 0) m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }
}
