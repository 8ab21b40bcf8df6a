package io.ingestd.daemon;

import io.ingestd.metrics.MetricsServer;
import io.ingestd.spool.Spool;
import org.jspecify.annotations.Nullable;

import java.util.Map;

/** What status and the metrics endpoint show of the spool. */
final class SpoolStatus {
    private SpoolStatus() {}

    static void register(MetricsServer metrics, Spool spool) {
        metrics.gauge(
                "ingestd.spool.records",
                "records in the local spool, acknowledged and not yet in the database",
                spool::records);
        metrics.gauge("ingestd.spool.bytes", "size of the spool's files", spool::bytes);
        metrics.gauge("ingestd.spool.oldest.seconds", "age of the oldest message in the spool", spool::oldestSeconds);
        metrics.counter(
                "ingestd.spool.conflicts",
                "spooled records found at drain to conflict with a stored row (each written to rejects.log)",
                spool::conflicts);
        metrics.counter(
                "ingestd.spool.quarantined",
                "damaged spool files moved or copied to the quarantine directory",
                spool::quarantinedFiles);
    }

    static void put(Map<String, Object> m, @Nullable Spool spool) {
        m.put("spool", spool == null ? "off" : spool.unusable() == null ? "on" : "unusable");
        if (spool == null) return;
        if (spool.unusable() != null) m.put("spool_unusable", spool.unusable());
        m.put("spool_records", spool.records());
        m.put("spool_bytes", spool.bytes());
        m.put("spool_oldest_seconds", spool.oldestSeconds());
        m.put("spool_drain_per_second", Math.round(spool.drainRate()));
        m.put("spool_conflicts", spool.conflicts());
        m.put("spool_quarantined", spool.quarantinedFiles());
    }

    static String text(Map<String, Object> m) {
        if ("unusable".equals(m.get("spool"))) {
            return "  spool        unusable: " + m.get("spool_unusable") + " (outages are answered RETRY)\n";
        }
        if (!"on".equals(m.get("spool"))) return "  spool        off\n";
        return "  spool        " + m.get("spool_records") + " records, " + m.get("spool_bytes") + " bytes, oldest "
                + m.get("spool_oldest_seconds") + " s; drain " + m.get("spool_drain_per_second") + " records/s; "
                + m.get("spool_conflicts") + " conflicts found at drain, " + m.get("spool_quarantined")
                + " files quarantined\n";
    }
}
