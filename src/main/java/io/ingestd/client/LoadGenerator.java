package io.ingestd.client;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code ingestd bench}: sends N records with unique tickets over C connections, W requests in flight per
 * connection, R records per message (R=1, W=1 is the seed's lock-step REQ client), optionally at a fixed offered
 * rate; measures acknowledged records/s and the acknowledgement latency, from the moment the request is sent
 * (sends are paced to the nanosecond, so at an offered rate they leave on time and this is the daemon's latency,
 * not the client's sleep granularity). Latency is recorded from {@code warmUp} after the start
 * (this client's own JIT warm-up is not the daemon's latency); the rate counts the whole run.
 */
public final class LoadGenerator {
    /** The parameters of one run. */
    public record Plan(
            List<String> endpoints,
            long records,
            int connections,
            int window,
            int perMessage,
            long firstTicket,
            double ratePerSecond,
            Duration maxTime,
            Duration warmUp,
            Duration failoverAfter,
            Sender.Security security) {}

    /** What a run measured. */
    public record Result(
            long acknowledged, long rejected, long retried, long failovers, double seconds, Histogram latencyMicros) {
        public double rate() {
            return acknowledged / seconds;
        }
    }

    private final Plan plan;
    private final AtomicLong next;
    /** One valid record per connection, just past the measured range, opens the connection before the clock. */
    private final AtomicLong nextWarmUp;

    private final AtomicLong acknowledged = new AtomicLong(),
            rejected = new AtomicLong(),
            retried = new AtomicLong(),
            failovers = new AtomicLong();
    private final Recorder latency = new Recorder(3);
    private @Nullable ZContext context;
    private volatile long measureFrom;

    public LoadGenerator(Plan plan) {
        this.plan = plan;
        this.next = new AtomicLong(plan.firstTicket());
        this.nextWarmUp = new AtomicLong(plan.firstTicket() + plan.records());
    }

    public Result run() throws InterruptedException {
        var done = new CountDownLatch(plan.connections());
        // one context, one I/O thread for all lock-step connections: 64 clients must not cost 64 more threads here
        context = new ZContext(1);
        long start = System.nanoTime();
        long deadline = start + plan.maxTime().toNanos();
        measureFrom = start + plan.warmUp().toNanos();
        for (int c = 0; c < plan.connections(); c++) {
            Thread.ofPlatform().daemon().name("bench-" + c).start(() -> {
                try {
                    if (plan.window() == 1) lockStep(deadline);
                    else pipelined(deadline);
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        double secs = (System.nanoTime() - start) / 1e9;
        context.close();
        return new Result(
                acknowledged.get(),
                rejected.get(),
                retried.get(),
                failovers.get(),
                secs,
                latency.getIntervalHistogram());
    }

    /** Nanoseconds between two messages of one connection at the offered rate, or 0 for "as fast as possible". */
    private long interval() {
        if (plan.ratePerSecond() <= 0) return 0;
        return (long) (1e9 * plan.perMessage() * plan.connections() / plan.ratePerSecond());
    }

    private long @Nullable [] take() {
        long first = next.getAndAdd(plan.perMessage());
        long end = Math.min(first + plan.perMessage(), plan.firstTicket() + plan.records());
        if (first >= end) return null;
        long[] t = new long[(int) (end - first)];
        for (int i = 0; i < t.length; i++) t[i] = first + i;
        return t;
    }

    static byte[] body(long[] tickets) {
        var sb = new StringBuilder(tickets.length * 24);
        for (long t : tickets)
            sb.append(t)
                    .append(',')
                    .append(t % 100_000 + 1)
                    .append(',')
                    .append(t % 1000)
                    .append(".25\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * One REQ socket, one request at a time. With several endpoints, a request unanswered for the failover time is
     * sent again to the next node on a new socket (a REQ socket that waits for a reply cannot send): Lazy Pirate.
     */
    private void lockStep(long deadline) {
        int node = (int)
                (Thread.currentThread().threadId() % plan.endpoints().size()); // spread connections over the nodes
        var req = openReq(plan.endpoints().get(node));
        try {
            warmUp(req);
            long interval = interval();
            long intended = System.nanoTime();
            long[] tickets;
            while ((tickets = take()) != null && System.nanoTime() < deadline) {
                if (interval > 0) {
                    intended += interval;
                    long wait = intended - System.nanoTime();
                    if (wait > 0) LockSupport.parkNanos(wait);
                } else intended = System.nanoTime();
                byte[] body = body(tickets);
                long sentAt;
                while (true) {
                    sentAt = System.nanoTime();
                    req.send(body, 0);
                    String reply = req.recvStr();
                    if (reply == null) {
                        if (plan.endpoints().size() == 1 || System.nanoTime() > deadline) return;
                        req.close();
                        node = (node + 1) % plan.endpoints().size();
                        req = openReq(plan.endpoints().get(node));
                        failovers.incrementAndGet();
                        continue;
                    }
                    if (reply.equals("TRUE")) {
                        acknowledged.addAndGet(tickets.length);
                        record(sentAt);
                        break;
                    }
                    if (reply.startsWith("FALSE")) {
                        rejected.addAndGet(tickets.length);
                        break;
                    }
                    retried.addAndGet(tickets.length);
                }
            }
        } finally {
            req.close();
        }
    }

    private ZMQ.Socket openReq(String endpoint) {
        var req = java.util.Objects.requireNonNull(context, "context").createSocket(SocketType.REQ);
        req.setLinger(0);
        req.setReceiveTimeOut(
                plan.endpoints().size() > 1 ? (int) plan.failoverAfter().toMillis() : 30_000);
        req.setHandshakeIvl(Sender.HANDSHAKE_MILLIS);
        plan.security().apply(req);
        if (io.ingestd.config.Endpoints.isIpv6(endpoint)) req.setIPv6(true); // ZeroMQ refuses [::1] without it
        req.connect(endpoint);
        return req;
    }

    private void record(long sentNanos) {
        if (sentNanos - measureFrom >= 0) latency.recordValue(Math.max(1, (System.nanoTime() - sentNanos) / 1000));
    }

    /** One request before the clock starts: connection set-up is not the daemon's latency. */
    private void warmUp(ZMQ.Socket req) {
        req.send(body(new long[] {nextWarmUp.getAndIncrement()}), 0);
        req.recv(0);
    }

    private void pipelined(long deadline) {
        var order = new java.util.ArrayList<>(plan.endpoints());
        java.util.Collections.rotate(order, (int) -(Thread.currentThread().threadId() % order.size()));
        try (var sender = new Sender(order, plan.window(), plan.security())) {
            sender.send(body(new long[] {nextWarmUp.getAndIncrement()}), "warm-up");
            while (sender.inFlight() > 0 && sender.receive(Duration.ofSeconds(30), a -> {}) == 0) {
                // waiting for the warm-up reply
            }
            long interval = interval();
            long intended = System.nanoTime();
            long lastReply = System.nanoTime();
            boolean more = true;
            while ((more || sender.inFlight() > 0) && System.nanoTime() < deadline) {
                while (more && sender.hasRoom()) {
                    if (interval > 0) {
                        if (System.nanoTime() - intended < 0) break;
                        intended += interval;
                    }
                    long[] tickets = take();
                    if (tickets == null) {
                        more = false;
                        break;
                    }
                    byte[] body = body(tickets);
                    sender.send(body, new long[] {System.nanoTime(), tickets.length});
                }
                // at an offered rate, sleep in the poll until the next send is due, not a fixed tick: on a small
                // machine a client polling every millisecond takes CPU from the daemon it measures. The poll's timeout
                // is in milliseconds: the last part of a wait is parked to the nanosecond, so sends leave on time
                java.util.function.Consumer<Sender.Answer> onAnswer = a -> {
                    long[] meta = (long[]) a.request().attachment();
                    if (a.acknowledged()) {
                        acknowledged.addAndGet(meta[1]);
                        record(meta[0]);
                    } else if (a.rejected()) rejected.addAndGet(meta[1]);
                    else retried.addAndGet(meta[1]);
                };
                boolean paced = more && sender.hasRoom() && interval > 0;
                long dueIn = intended - System.nanoTime();
                int got;
                if (paced && dueIn < 1_000_000) {
                    if (dueIn > 0) LockSupport.parkNanos(dueIn);
                    got = sender.receiveNow(onAnswer);
                } else {
                    got = sender.receive(Duration.ofMillis(paced ? dueIn / 1_000_000 : 100), onAnswer);
                }
                long now = System.nanoTime();
                if (got > 0 || sender.inFlight() == 0) lastReply = now;
                else if (sender.hasAlternatives()
                        && now - lastReply > plan.failoverAfter().toNanos()) {
                    sender.failOver();
                    failovers.incrementAndGet();
                    lastReply = now;
                }
            }
        }
    }
}
