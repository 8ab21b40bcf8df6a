package io.ingestd.daemon;

import io.ingestd.log.Json;
import org.jspecify.annotations.Nullable;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** The live state of a running daemon, as JSON for {@code status --json} and as lines for people. */
final class StatusReport {
    private StatusReport() {}

    static Map<String, Object> collect(Daemon d) {
        var s = d.stats();
        var c = d.started(); // restart-only keys: what is bound and open, not what a reload read
        var m = new LinkedHashMap<String, Object>();
        m.put("state", "running");
        m.put("pid", ProcessHandle.current().pid());
        m.put("uptime_seconds", Duration.between(d.startedAt(), Instant.now()).toSeconds());
        m.put("user", d.runAs());
        m.put("listen", String.join(",", c.listen()));
        m.put("database", c.db().urlForDisplay());
        m.put("table", c.db().table());
        m.put("database_up", !s.isDatabaseDown());
        m.put("database_node", s.databaseNode());
        m.put("database_failovers", s.databaseFailovers.sum());
        m.put("messages_received", s.messages.sum());
        m.put("records_received", s.recordsReceived.sum());
        m.put("records_acknowledged", s.recordsAcknowledged.sum());
        m.put("records_retried", s.recordsRetried.sum());
        m.put("records_processed", s.recordsProcessed.sum());
        m.put("messages_rejected", s.rejectedTotal());
        var byReason = new LinkedHashMap<String, Object>();
        for (var e : s.rejectedByReason().entrySet()) {
            if (e.getValue().sum() > 0)
                byReason.put(e.getKey().label(), e.getValue().sum());
        }
        m.put("rejected_by_reason", byReason);
        m.put("acknowledged_per_second", Math.round(d.ackRate()));
        m.put(
                "queue_records",
                java.util.Objects.requireNonNull(d.running(), "running").queue().records());
        m.put("backlog_records", d.backlog());
        SpoolStatus.put(m, d.spool());
        var h = d.health();
        m.put("healthy", h.healthy());
        m.put("health_reason", h.reason());
        m.put("metrics", c.metricsListen().map(x -> "http://" + x + "/metrics").orElse("off"));
        m.put("last_error", s.lastError());
        m.put("last_reload", d.lastReload());
        m.put("restart_needed_for", String.join(", ", d.restartNeededFor()));
        m.put("config_file", c.source().file().map(Object::toString).orElse("(none)"));
        m.put("data_dir", c.paths().dataDir().toString());
        m.put("log_dir", c.paths().logDir().toString());
        m.put("pid_file", c.paths().pidFile().toString());
        m.put("reloads", d.reloads());
        return m;
    }

    static String json(Map<String, Object> m) {
        var sb = new StringBuilder("{");
        for (var e : m.entrySet()) {
            if (sb.length() > 1) sb.append(',');
            Json.quote(sb, e.getKey());
            sb.append(':');
            value(sb, e.getValue());
        }
        return sb.append('}').toString();
    }

    @SuppressWarnings("unchecked")
    private static void value(StringBuilder sb, Object v) {
        switch (v) {
            case Number n -> sb.append(n);
            case Boolean b -> sb.append(b);
            case Map<?, ?> map -> sb.append(json((Map<String, Object>) map));
            default -> Json.quote(sb, String.valueOf(v));
        }
    }

    static String text(Map<String, Object> m) {
        var sb = new StringBuilder();
        sb.append("ingestd is running (pid ")
                .append(m.get("pid"))
                .append("), up ")
                .append(human((Long) java.util.Objects.requireNonNull(m.get("uptime_seconds"))))
                .append(", as user ")
                .append(m.get("user"))
                .append('\n');
        sb.append("  listening on ").append(m.get("listen")).append('\n');
        sb.append("  database     ")
                .append(m.get("database"))
                .append(" table ")
                .append(m.get("table"))
                .append(Boolean.TRUE.equals(m.get("database_up")) ? " (up)" : " (UNAVAILABLE)")
                .append('\n');
        if (!String.valueOf(m.get("database_node")).isEmpty()) {
            sb.append("  db node      ")
                    .append(m.get("database_node"))
                    .append(" (last commit); ")
                    .append(m.get("database_failovers"))
                    .append(" failovers\n");
        }
        sb.append("  records      ")
                .append(m.get("records_acknowledged"))
                .append(" acknowledged, ")
                .append(m.get("records_processed"))
                .append(" processed, ")
                .append(m.get("records_retried"))
                .append(" retried; ")
                .append(m.get("messages_rejected"))
                .append(" messages rejected")
                .append(reasons(m.get("rejected_by_reason")))
                .append('\n');
        sb.append("  rate         ").append(m.get("acknowledged_per_second")).append(" records/s acknowledged\n");
        sb.append("  queue        ")
                .append(m.get("queue_records"))
                .append(" records; ")
                .append(m.get("backlog_records"))
                .append(" waiting in 'N'\n");
        sb.append(SpoolStatus.text(m));
        String reason = String.valueOf(m.get("health_reason"));
        sb.append("  health       ")
                .append(
                        Boolean.TRUE.equals(m.get("healthy"))
                                ? (reason.isEmpty() ? "ok" : "DEGRADED: " + reason)
                                : "UNHEALTHY: " + reason)
                .append("; metrics ")
                .append(m.get("metrics"))
                .append('\n');
        String err = String.valueOf(m.get("last_error"));
        if (!err.isEmpty()) sb.append("  last error   ").append(err).append('\n');
        sb.append("  files        config ")
                .append(m.get("config_file"))
                .append("; data ")
                .append(m.get("data_dir"))
                .append("; log ")
                .append(m.get("log_dir"))
                .append("; pid ")
                .append(m.get("pid_file"))
                .append('\n');
        sb.append("  last reload  ").append(m.get("last_reload"));
        String restart = String.valueOf(m.get("restart_needed_for"));
        if (!restart.isEmpty())
            sb.append("\n  restart needed for: ").append(restart).append(" (ingestd restart)");
        return sb.toString();
    }

    private static String reasons(@Nullable Object byReason) {
        if (!(byReason instanceof Map<?, ?> map) || map.isEmpty()) return "";
        var sb = new StringBuilder(" (");
        map.forEach((k, v) ->
                sb.append(sb.length() > 2 ? ", " : "").append(k).append(' ').append(v));
        return sb.append(')').toString();
    }

    static String human(long secs) {
        if (secs < 60) return secs + "s";
        if (secs < 3600) return secs / 60 + "m " + secs % 60 + "s";
        if (secs < 86400) return secs / 3600 + "h " + secs % 3600 / 60 + "m";
        return secs / 86400 + "d " + secs % 86400 / 3600 + "h";
    }
}
