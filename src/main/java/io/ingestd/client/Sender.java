package io.ingestd.client;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A pipelining client: a DEALER socket with up to {@code window} requests in flight, each tagged with an id frame
 * before the empty delimiter (the daemon returns the envelope with the reply, in any order). Used by
 * {@code send} and {@code bench}. Given several endpoints (ingestd nodes) it talks to one at a time and, when the
 * caller sees no reply for too long, {@link #failOver() fails over} to the next: the ZeroMQ guide's Lazy Pirate.
 */
public final class Sender implements AutoCloseable {
    /**
     * How long a client waits for the ZMTP handshake before it drops the connection and connects again. A JeroMQ
     * connecting socket can stall in the handshake: seen here about once in ten fresh connections under load, the
     * server's 10-byte signature received and the client's own never sent, until this timer (JeroMQ's default:
     * 30 s) reconnects. Two seconds is ample for a handshake, CURVE included, on a LAN.
     */
    public static final int HANDSHAKE_MILLIS = 2_000;

    private final ZContext context;
    private ZMQ.Socket socket;
    private final int window;
    private final java.util.List<String> endpoints;
    private final Security security;
    private int current;
    private long failovers;
    private final Map<Long, Pending> inFlight = new HashMap<>();
    private long nextId;

    /** A request waiting for its reply; {@code attachment} is the caller's (e.g. the lines it holds). */
    @SuppressWarnings("ArrayRecordComponent") // identified by id, never compared
    public record Pending(long id, byte[] body, Object attachment, long sentNanos) {}

    /** A reply to a request: TRUE, FALSE reason or RETRY reason. */
    public record Answer(Pending request, String reply, long latencyNanos) {
        public boolean acknowledged() {
            return reply.equals("TRUE");
        }

        public boolean rejected() {
            return reply.startsWith("FALSE");
        }

        public String reason() {
            int sp = reply.indexOf(' ');
            return sp < 0 ? "" : reply.substring(sp + 1);
        }
    }

    public Sender(String endpoint, int window, Security security) {
        this(java.util.List.of(endpoint), window, security);
    }

    /** A sender for several nodes: it connects to the first and moves on at each {@link #failOver()}. */
    public Sender(java.util.List<String> endpoints, int window, Security security) {
        if (endpoints.isEmpty()) throw new IllegalArgumentException("no endpoint");
        this.context = new ZContext(1);
        this.window = window;
        this.endpoints = java.util.List.copyOf(endpoints);
        this.security = security;
        this.socket = open(this.endpoints.getFirst());
    }

    private ZMQ.Socket open(String endpoint) {
        var s = context.createSocket(SocketType.DEALER);
        s.setLinger(0);
        s.setHandshakeIvl(HANDSHAKE_MILLIS);
        s.setSndHWM(window * 2 + 16);
        s.setRcvHWM(window * 2 + 16);
        security.apply(s);
        if (io.ingestd.config.Endpoints.isIpv6(endpoint)) s.setIPv6(true); // ZeroMQ refuses [::1] without it
        s.connect(endpoint);
        return s;
    }

    /** The node requests go to now. */
    public String endpoint() {
        return endpoints.get(current);
    }

    public boolean hasAlternatives() {
        return endpoints.size() > 1;
    }

    public long failovers() {
        return failovers;
    }

    /**
     * Lazy Pirate: drops the socket to the current node (its late replies are not wanted) and sends every request
     * still in flight again, to the next node. Identical re-sends are harmless: a stored identical record is
     * acknowledged, not stored twice.
     */
    public void failOver() {
        socket.close();
        current = (current + 1) % endpoints.size();
        socket = open(endpoints.get(current));
        failovers++;
        var again = abandon();
        for (var p : again) {
            inFlight.put(p.id(), new Pending(p.id(), p.body(), p.attachment(), System.nanoTime()));
            transmit(p.id(), p.body());
        }
    }

    /** Client-side socket options, e.g. CURVE keys. */
    public interface Security {
        void apply(ZMQ.Socket socket);

        Security NONE = s -> {};
    }

    /** Connects to one more daemon: ZeroMQ spreads requests over the connected peers (several nodes). */
    public void connectAlso(String endpoint) {
        socket.connect(endpoint);
    }

    public boolean hasRoom() {
        return inFlight.size() < window;
    }

    public int inFlight() {
        return inFlight.size();
    }

    public void send(byte[] body, Object attachment) {
        long id = nextId++;
        var p = new Pending(id, body, attachment, System.nanoTime());
        inFlight.put(id, p);
        transmit(id, body);
    }

    private void transmit(long id, byte[] body) {
        socket.send(ByteBuffer.allocate(8).putLong(0, id).array(), ZMQ.SNDMORE);
        socket.send(new byte[0], ZMQ.SNDMORE);
        socket.send(body, 0);
    }

    /**
     * Waits up to {@code timeout} for at least one reply and hands every reply that arrived to {@code onAnswer}.
     * Returns how many replies there were (0 on timeout).
     */
    public int receive(Duration timeout, Consumer<Answer> onAnswer) {
        int n = 0;
        socket.setReceiveTimeOut((int) Math.max(1, timeout.toMillis()));
        ZMsg msg = ZMsg.recvMsg(socket);
        while (msg != null) {
            n += deliver(msg, onAnswer);
            msg = ZMsg.recvMsg(socket, ZMQ.DONTWAIT);
        }
        return n;
    }

    /** The answers already here, without waiting. */
    public int receiveNow(Consumer<Answer> onAnswer) {
        int n = 0;
        for (ZMsg msg; (msg = ZMsg.recvMsg(socket, ZMQ.DONTWAIT)) != null; ) n += deliver(msg, onAnswer);
        return n;
    }

    private int deliver(ZMsg msg, Consumer<Answer> onAnswer) {
        if (msg.size() != 3 || msg.getFirst().size() != 8) return 0;
        long id = ByteBuffer.wrap(msg.pop().getData()).getLong();
        msg.pop();
        String reply = new String(msg.pop().getData(), StandardCharsets.UTF_8);
        var p = inFlight.remove(id);
        if (p == null) return 0;
        onAnswer.accept(new Answer(p, reply, System.nanoTime() - p.sentNanos()));
        return 1;
    }

    /** Requests unanswered for longer than {@code age} (their daemon went away), removed from flight. */
    public java.util.List<Pending> abandonOlderThan(Duration age) {
        long limit = System.nanoTime() - age.toNanos();
        var old = inFlight.values().stream()
                .filter(p -> p.sentNanos() - limit < 0)
                .toList();
        for (var p : old) inFlight.remove(p.id());
        return old;
    }

    /** Requests still unanswered (e.g. after the daemon went away), oldest first, removed from flight. */
    public ArrayDeque<Pending> abandon() {
        var all = new ArrayDeque<>(inFlight.values().stream()
                .sorted(java.util.Comparator.comparingLong(Pending::id))
                .toList());
        inFlight.clear();
        return all;
    }

    @Override
    public void close() {
        socket.close();
        context.close();
    }
}
