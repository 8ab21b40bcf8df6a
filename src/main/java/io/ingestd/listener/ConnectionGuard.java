package io.ingestd.listener;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZEvent;
import org.zeromq.ZMQ;
import org.zeromq.ZMonitor;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bounds the listener's TCP connections, in all and per client IP ({@code listen.max-connections},
 * {@code listen.max-connections-per-ip}), so that one local account or one misbehaving client cannot take every
 * file descriptor and heap byte of the daemon. It follows the socket's monitor events: every accepted connection
 * is counted by its peer's address, and one beyond a limit is shut down at once, before its ZMTP handshake, so
 * that the engine closes it as a connection lost (no reply, nothing read). A connection that ends is counted out
 * when ZeroMQ reports it, and, should a monitor event ever be lost, when its channel is found closed.
 *
 * <p>A ZeroMQ socket belongs to one thread: the monitor is set up on the listener's socket here, before it binds,
 * and this class's own thread only reads the monitor's PAIR socket and the channels it names.
 */
public final class ConnectionGuard implements Runnable, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConnectionGuard.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long SWEEP_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final ZMQ.Socket events;
    private final IdentityHashMap<SocketChannel, InetAddress> open = new IdentityHashMap<>();
    private final Map<InetAddress, Integer> perIp = new HashMap<>();
    private final AtomicInteger openCount = new AtomicInteger();
    private final LongAdder refused = new LongAdder();
    private volatile Limits limits;
    private volatile boolean running = true;
    private long refusedSinceReport;
    private String lastRefusal = "";
    private long lastReport;
    private long lastSweep;

    /** Most connections in all and from one IP address. */
    public record Limits(int total, int perIp) {}

    /** Sets the monitor on {@code router}; call before it binds, on the thread that created it. */
    ConnectionGuard(ZContext context, ZMQ.Socket router, Limits limits) {
        this.limits = limits;
        String endpoint = "inproc://ingestd.connections." + SEQUENCE.incrementAndGet();
        if (!router.monitor(endpoint, ZMQ.EVENT_ACCEPTED | ZMQ.EVENT_DISCONNECTED)) {
            throw new IllegalStateException("cannot monitor the listener's connections");
        }
        events = context.createSocket(SocketType.PAIR);
        events.setLinger(0);
        events.setRcvHWM(0); // a lost DISCONNECTED event would be found by the sweep, but lose none
        events.connect(endpoint);
    }

    public void limits(Limits l) {
        limits = l;
    }

    public int open() {
        return openCount.get();
    }

    public long refused() {
        return refused.sum();
    }

    @Override
    public void run() {
        events.setReceiveTimeOut(500);
        try {
            while (running) {
                var e = ZEvent.recv(events, 0);
                long now = System.nanoTime();
                if (e != null) handle(e);
                if (now - lastSweep > SWEEP_EVERY_NANOS) {
                    sweep();
                    lastSweep = now;
                }
                report(now);
            }
        } catch (org.zeromq.ZMQException e) {
            if (running && e.getErrorCode() != zmq.ZError.ETERM) throw e;
        } finally {
            events.close();
        }
    }

    private void handle(ZEvent e) {
        Object channel = e.getValue(); // resolve once: ZeroMQ hands each channel over a single time
        if (!(channel instanceof SocketChannel sc)) return; // gone already (ZeroMQ keeps it weakly)
        if (e.getEvent() == ZMonitor.Event.DISCONNECTED) {
            forget(sc);
            return;
        }
        InetAddress ip;
        try {
            ip = ((InetSocketAddress) sc.getRemoteAddress()).getAddress();
        } catch (IOException | RuntimeException closed) {
            return; // closed before we looked: nothing to count
        }
        var l = limits;
        if (open.size() >= l.total() || perIp.getOrDefault(ip, 0) >= l.perIp()) sweep();
        String over = open.size() >= l.total()
                ? open.size() + " connections are open (listen.max-connections=" + l.total() + ")"
                : perIp.getOrDefault(ip, 0) >= l.perIp()
                        ? ip.getHostAddress() + " has " + perIp.get(ip) + " open (listen.max-connections-per-ip="
                                + l.perIp() + ")"
                        : null;
        open.put(sc, ip);
        perIp.merge(ip, 1, Integer::sum);
        openCount.set(open.size());
        if (over != null) refuse(sc, ip, over);
    }

    /** Shuts the connection down both ways: ZeroMQ's engine reads its end and closes it as lost. */
    private void refuse(SocketChannel sc, InetAddress ip, String why) {
        refused.increment();
        refusedSinceReport++;
        lastRefusal = "from " + ip.getHostAddress() + ": " + why;
        try {
            sc.shutdownOutput();
            sc.shutdownInput();
        } catch (IOException closed) {
            forget(sc); // it went by itself
        }
    }

    private void forget(SocketChannel sc) {
        InetAddress ip = open.remove(sc);
        if (ip != null) perIp.computeIfPresent(ip, (k, n) -> n > 1 ? n - 1 : null);
        openCount.set(open.size());
    }

    private void sweep() {
        open.keySet().stream().filter(c -> !c.isOpen()).toList().forEach(this::forget);
    }

    private void report(long now) {
        if (refusedSinceReport == 0 || now - lastReport < REPORT_EVERY_NANOS) return;
        log.warn(
                "refused {} connection(s) since the last report, the last {}; {} open (reported at most every {} s)",
                refusedSinceReport,
                lastRefusal,
                open.size(),
                TimeUnit.NANOSECONDS.toSeconds(REPORT_EVERY_NANOS));
        refusedSinceReport = 0;
        lastReport = now;
    }

    @Override
    public void close() {
        running = false;
    }
}
