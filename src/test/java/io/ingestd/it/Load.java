package io.ingestd.it;

import io.ingestd.client.Sender;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A client that keeps sending new unique tickets, remembers every ticket acknowledged TRUE, and resends whatever
 * was answered RETRY or not answered at all (the daemon was killed, the database was away): what a trading
 * server should do. Counts what it saw, for the assertions and the report.
 */
public final class Load implements AutoCloseable {
    public final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    public final AtomicLong trues = new AtomicLong(),
            retries = new AtomicLong(),
            falses = new AtomicLong(),
            unanswered = new AtomicLong(),
            sent = new AtomicLong();
    public volatile String lastFalse = "";
    private final String[] endpoints;
    private final int window;
    private final int perMessage;
    private final AtomicLong nextTicket;
    private final ArrayDeque<long[]> resend = new ArrayDeque<>();
    private volatile boolean generating = true;
    private volatile boolean running = true;
    private final Thread thread;

    public Load(long firstTicket, int window, int perMessage, String... endpoints) {
        this.endpoints = endpoints;
        this.window = window;
        this.perMessage = perMessage;
        this.nextTicket = new AtomicLong(firstTicket);
        this.thread = Thread.ofPlatform().daemon().name("load").start(this::run);
    }

    public long generated() {
        return nextTicket.get();
    }

    /** Stops making new tickets and returns once everything generated is acknowledged (or the deadline passes). */
    public boolean finish(Duration max) throws InterruptedException {
        generating = false;
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            synchronized (resend) {
                if (resend.isEmpty() && inFlight == 0) break;
            }
            Thread.sleep(20); // polling the load thread's progress, not synchronising with the daemon
        }
        running = false;
        thread.join(10_000);
        synchronized (resend) {
            return resend.isEmpty() && inFlight == 0;
        }
    }

    private volatile int inFlight;

    private Sender connect() {
        var s = new Sender(endpoints[0], window, Sender.Security.NONE);
        for (int i = 1; i < endpoints.length; i++) s.connectAlso(endpoints[i]);
        return s;
    }

    private void run() {
        var sender = connect();
        long lastReply = System.nanoTime();
        try {
            while (running) {
                while (sender.hasRoom()) {
                    long[] tickets;
                    synchronized (resend) {
                        tickets = resend.poll();
                    }
                    if (tickets == null) {
                        if (!generating) break;
                        tickets = new long[perMessage];
                        for (int i = 0; i < perMessage; i++) tickets[i] = nextTicket.getAndIncrement();
                    }
                    sender.send(body(tickets), tickets);
                    sent.incrementAndGet();
                }
                inFlight = sender.inFlight();
                sender.receive(Duration.ofMillis(100), a -> {
                    long[] t = (long[]) a.request().attachment();
                    if (a.acknowledged()) {
                        trues.incrementAndGet();
                        for (long x : t) acknowledged.add(x);
                    } else {
                        if (a.rejected()) {
                            falses.incrementAndGet();
                            lastFalse = a.reply();
                        } else retries.incrementAndGet();
                        synchronized (resend) {
                            resend.add(t);
                        }
                    }
                });
                long now = System.nanoTime();
                if (now - lastReply > 1_000_000_000L) {
                    // unanswered for seconds: that daemon is gone (ZeroMQ sends new requests to live peers only)
                    var lost = sender.abandonOlderThan(Duration.ofSeconds(4));
                    unanswered.addAndGet(lost.size());
                    synchronized (resend) {
                        for (var p : lost) resend.add((long[]) p.attachment());
                    }
                    lastReply = now;
                }
                inFlight = sender.inFlight();
            }
        } finally {
            sender.close();
        }
    }

    static byte[] body(long[] tickets) {
        var sb = new StringBuilder();
        for (long t : tickets)
            sb.append(t)
                    .append(',')
                    .append(t % 1000 + 1)
                    .append(',')
                    .append(t % 97)
                    .append(".5\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public String summary() {
        return String.format(
                "sent %d messages: %d TRUE, %d RETRY, %d FALSE, %d unanswered; %d tickets acknowledged",
                sent.get(), trues.get(), retries.get(), falses.get(), unanswered.get(), acknowledged.size());
    }

    @Override
    public void close() {
        running = false;
    }
}
