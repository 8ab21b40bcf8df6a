package io.ingestd.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.ingestd.log.Json;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The Prometheus endpoint ({@code /metrics}, Micrometer) and {@code /health} on {@code metrics.listen}, served by
 * the JDK's HTTP server. Counters are read from {@link Stats} at scrape time, so the data path pays nothing.
 */
public final class MetricsServer implements AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(MetricsServer.class);
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final HttpServer server;
    private final Supplier<Health> health;
    // Micrometer holds gauge and counter sources weakly: a method reference would be collected and read NaN
    /** How long a scrape waits for {@link #bindJvmMetrics} (which runs just after ready). */
    private static final Duration JVM_BIND_WAIT = Duration.ofSeconds(5);

    private final java.util.concurrent.CountDownLatch jvmBound = new java.util.concurrent.CountDownLatch(1);
    private final java.util.List<Object> held = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Healthy, or not with the reason. */
    public record Health(boolean healthy, String reason) {}

    /** What the endpoint reads besides the counters: queue depth, 'N' backlog, pool use, health. */
    public interface Sources {
        int queueRecords();

        long backlog();

        int poolActive();

        int poolTotal();

        Health health();
    }

    public MetricsServer(String hostPort, Stats stats, Sources sources) throws IOException {
        int colon = hostPort.lastIndexOf(':');
        String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        limitSlowClients();
        if (!isLoopback(hostPort)) {
            log.warn(
                    "metrics.listen={} is not a loopback address: /metrics and /health answer anyone who can reach "
                            + "it, without authentication (bind 127.0.0.1, or firewall the port)",
                    hostPort);
        }
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        this.health = sources::health;
        register(stats, sources);
        server.createContext("/metrics", this::metrics);
        server.createContext("/health", this::health);
        // the JDK server reads each request's header on its executor: one thread per exchange, so a client that
        // stops half-way through its header holds only its own thread, never /health for the others
        server.setExecutor(Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("metrics-http-", 0).factory()));
    }

    /**
     * Closes connections whose request or response takes longer than a few seconds (a stalled or hostile
     * client), and idle keep-alive connections after 30 s. The JDK server reads these properties once, when it
     * is first used; an operator's own {@code -D} setting wins.
     */
    private static void limitSlowClients() {
        setIfAbsent("sun.net.httpserver.maxReqTime", "5");
        setIfAbsent("sun.net.httpserver.maxRspTime", "10");
        setIfAbsent("sun.net.httpserver.idleInterval", "30");
        // at most this many connections; more wait in the backlog, so a flood of them takes no descriptors
        setIfAbsent("sun.net.httpserver.maxConnections", "64");
    }

    private static void setIfAbsent(String property, String seconds) {
        if (System.getProperty(property) == null) System.setProperty(property, seconds);
    }

    /** Whether the endpoint is reachable only from this host (a loopback address). */
    public static boolean isLoopback(String hostPort) {
        String host = hostPort.substring(0, hostPort.lastIndexOf(':'))
                .replace("[", "")
                .replace("]", "");
        try {
            return java.net.InetAddress.getByName(host).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    public void start() {
        server.start();
    }

    private void register(Stats s, Sources src) {
        counter("ingestd.messages", "request messages received", s.messages);
        counter("ingestd.records.received", "valid records received", s.recordsReceived);
        counter("ingestd.records.acknowledged", "records acknowledged TRUE (committed)", s.recordsAcknowledged);
        counter("ingestd.records.retried", "records answered RETRY", s.recordsRetried);
        counter("ingestd.messages.acknowledged", "request messages answered TRUE", s.messagesAcknowledged);
        counter("ingestd.messages.retried", "request messages answered RETRY", s.messagesRetried);
        counter("ingestd.records.processed", "records moved from 'N' to 'Y'", s.recordsProcessed);
        counter("ingestd.commits", "transactions committed", s.commits);
        counter(
                "ingestd.processing.deferred.records",
                "committed records left to the sweep because the processing " + "stage was behind",
                s.processingDeferred);
        counter(
                "ingestd.db.failovers",
                "connections dropped or moved because their database node failed (work went on on another)",
                s.databaseFailovers);
        stats = s;
        for (var e : s.rejectedByReason().entrySet()) {
            FunctionCounter.builder("ingestd.messages.rejected", e.getValue(), a -> a.sum())
                    .description("messages answered FALSE, by reason")
                    .tag("reason", e.getKey().label())
                    .register(registry);
        }
        Gauge.builder("ingestd.queue.records", src, Sources::queueRecords)
                .description("records waiting for a writer")
                .register(registry);
        Gauge.builder("ingestd.backlog.records", src, Sources::backlog)
                .description("rows waiting in 'N'")
                .register(registry);
        Gauge.builder("ingestd.db.pool.active", src, Sources::poolActive)
                .description("database connections in use")
                .register(registry);
        Gauge.builder("ingestd.db.pool.total", src, Sources::poolTotal)
                .description("database connections open")
                .register(registry);
        Gauge.builder("ingestd.db.up", s, x -> x.isDatabaseDown() ? 0 : 1)
                .description("1 when the database answers")
                .register(registry);
        var batch = DistributionSummary.builder("ingestd.batch.records")
                .description("records per committed transaction")
                .serviceLevelObjectives(1, 10, 100, 1000, 5000)
                .register(registry);
        var commit = Timer.builder("ingestd.commit.latency")
                .description("time to write and commit one transaction")
                .serviceLevelObjectives(
                        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(100))
                .register(registry);
        var ack = Timer.builder("ingestd.ack.latency")
                .description("from receipt to TRUE")
                .serviceLevelObjectives(
                        Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofMillis(100))
                .register(registry);
        s.observe(new Stats.CommitObserver() {
            @Override
            public void committed(int records, long nanos) {
                batch.record(records);
                commit.record(nanos, TimeUnit.NANOSECONDS);
            }

            @Override
            public void acknowledged(long nanos) {
                ack.record(nanos, TimeUnit.NANOSECONDS);
            }
        });
    }

    /**
     * The JVM's own series (memory, GC, threads, CPU, uptime). Called once the daemon is ready, not before: they
     * load the JDK's management beans, which start-up does not need; a scrape that comes first waits for them.
     */
    public void bindJvmMetrics() {
        try {
            new JvmMemoryMetrics().bindTo(registry);
            new JvmGcMetrics().bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        } finally {
            jvmBound.countDown();
        }
    }

    /** A gauge read at scrape time (for parts of the daemon the endpoint does not know, e.g. the spool). */
    public void gauge(String name, String description, java.util.function.DoubleSupplier value) {
        held.add(value);
        Gauge.builder(name, value, java.util.function.DoubleSupplier::getAsDouble)
                .description(description)
                .register(registry);
    }

    /** A counter read at scrape time. */
    public void counter(String name, String description, java.util.function.DoubleSupplier value) {
        held.add(value);
        FunctionCounter.builder(name, value, java.util.function.DoubleSupplier::getAsDouble)
                .description(description)
                .register(registry);
    }

    private void counter(String name, String description, java.util.concurrent.atomic.LongAdder a) {
        FunctionCounter.builder(name, a, x -> x.sum()).description(description).register(registry);
    }

    private Stats stats;
    private @Nullable MultiGauge databaseNode;

    private void metrics(HttpExchange x) throws IOException {
        try {
            if (!jvmBound.await(JVM_BIND_WAIT.toMillis(), TimeUnit.MILLISECONDS))
                log.warn("/metrics answered without the JVM series: not bound within {}", JVM_BIND_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // the node changes at a failover: the series is rebuilt at each scrape, with the current host as its label
        if (databaseNode == null) {
            databaseNode = MultiGauge.builder("ingestd.db.node")
                    .description("1 for the database server (host:port) of the last commit")
                    .register(registry);
        }
        String node = stats.databaseNode();
        databaseNode.register(node.isEmpty() ? List.of() : List.of(MultiGauge.Row.of(Tags.of("host", node), 1)), true);
        respond(x, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape());
    }

    private void health(HttpExchange x) throws IOException {
        var h = health.get();
        // healthy with a reason: degraded (the database is away, acknowledgements come from the spool)
        String body = h.healthy() && h.reason().isEmpty()
                ? "{\"status\":\"ok\"}"
                : "{\"status\":\"" + (h.healthy() ? "degraded" : "unavailable") + "\",\"reason\":"
                        + Json.quote(h.reason()) + "}";
        respond(x, h.healthy() ? 200 : 503, "application/json", body);
    }

    private static void respond(HttpExchange x, int code, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(code, b.length);
        try (OutputStream out = x.getResponseBody()) {
            out.write(b);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
