package io.ingestd.listener;

import io.ingestd.log.RejectLog;
import io.ingestd.metrics.Stats;
import io.ingestd.protocol.RecordParser;
import io.ingestd.protocol.Reply;
import io.ingestd.store.PendingRequest;
import io.ingestd.store.ReplyChannel;
import io.ingestd.store.RequestQueue;
import org.jspecify.annotations.Nullable;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The ZeroMQ ROUTER loop. Only this thread touches the socket: it reads requests, validates them, queues them
 * for the writers, and sends the replies the writers hand back (through a queue and a wake-up pipe, because
 * ZeroMQ sockets are not thread-safe). A REQ client works unchanged; a DEALER client may pipeline requests,
 * tagging each with its own frames before the empty delimiter, which come back with the reply.
 */
public final class Listener implements Runnable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Listener.class);
    private static final int READ_BURST = 512;

    private final ZMQ.Socket router;
    private final RequestQueue queue;
    private final Stats stats;
    private final RejectLog rejects;
    private final ReplyChannel replies;
    private final Map<ByteBuffer, Integer> pendingByPeer = new HashMap<>();
    private volatile Limits limits;
    private volatile boolean reading = true;
    private volatile boolean running = true;
    private volatile long heartbeatNanos = System.nanoTime();
    private volatile int pending;
    // requests read but not yet in the queue (it was full): the socket is not read again until they are in
    private final ArrayDeque<PendingRequest> waiting = new ArrayDeque<>();
    private volatile boolean holding;
    private volatile boolean readingStopped;
    // the frames of the message being read, reused (no ZMsg and ZFrame objects per message)
    private final ArrayList<byte[]> frames = new ArrayList<>();
    private final @Nullable Admission admission;
    private final ConnectionGuard guard;
    private long lastTooLargeLog;

    /** What one message and one peer may take; changeable on reload. */
    public record Limits(int maxBytes, int maxRecords, int maxPendingPerPeer, ConnectionGuard.Limits connections) {}

    /**
     * Binds every endpoint (before the privilege drop, so low ports work), failing with the endpoint named. The
     * daemon owns the queue to the writers and the channel back from them; this loop feeds the one and drains the
     * other.
     */
    public Listener(
            ZContext context,
            List<String> endpoints,
            Limits limits,
            RequestQueue queue,
            ReplyChannel replies,
            Stats stats,
            RejectLog rejects,
            SocketSetup setup) {
        this.limits = limits;
        this.stats = stats;
        this.rejects = rejects;
        this.queue = queue;
        this.replies = replies;
        router = context.createSocket(SocketType.ROUTER);
        router.setLinger(0);
        router.setRcvHWM(10_000);
        router.setSndHWM(100_000);
        // a peer that connects but never completes the ZMTP handshake is dropped after 5 s, not the default 30 s
        router.setHandshakeIvl(5_000);
        // a peer that went away without a FIN (power loss, a cut cable) is found within a minute and its
        // connection closed: ZMTP PING every 20 s, closed when nothing at all came back for 60 s
        router.setHeartbeatIvl(20_000);
        router.setHeartbeatTimeout(60_000);
        guard = new ConnectionGuard(context, router, limits.connections());
        router.setMaxMsgSize(transportLimit(limits.maxBytes()));
        if (endpoints.stream().anyMatch(io.ingestd.config.Endpoints::isIpv6)) router.setIPv6(true);
        setup.apply(router);
        this.admission = setup instanceof Admission a ? a : null;
        for (String ep : endpoints) {
            try {
                router.bind(ep);
            } catch (org.zeromq.ZMQException e) {
                router.close();
                throw new BindException(ep, e);
            }
        }
    }

    /** Extra socket options (CURVE, ZAP) applied before binding. */
    public interface SocketSetup {
        void apply(ZMQ.Socket socket);

        SocketSetup NONE = s -> {};
    }

    /** A listen endpoint could not be bound. */
    public static final class BindException extends RuntimeException {
        public BindException(String endpoint, org.zeromq.ZMQException e) {
            super("cannot bind " + endpoint + ": " + describe(e), e);
        }

        private static String describe(org.zeromq.ZMQException e) {
            return switch (e.getErrorCode()) {
                case zmq.ZError.EADDRINUSE -> "address in use (is another ingestd running? see: ingestd status)";
                case zmq.ZError.EADDRNOTAVAIL -> "address not available on this machine";
                default -> String.valueOf(e.getMessage());
            };
        }
    }

    /** New limits (reload); the transport limit applies to connections made from now on. */
    public void limits(Limits l) {
        this.limits = l;
        guard.limits(l.connections());
        transportLimitChange = transportLimit(l.maxBytes());
        wake();
    }

    private volatile long transportLimitChange = -1;

    /**
     * ZeroMQ's own limit, far above {@code message.max-bytes} so that an oversized message normally arrives and is
     * answered FALSE, counted and logged; only beyond it does the transport drop the sender's connection unanswered
     * (it would otherwise allocate whatever size a peer announces).
     */
    public static long transportLimit(int maxBytes) {
        return Math.max(16L * maxBytes, 16L << 20);
    }

    /** Counts and bounds the connections; its loop runs on a thread of its own ({@link ConnectionGuard#run}). */
    public ConnectionGuard connections() {
        return guard;
    }

    public long heartbeatNanos() {
        return heartbeatNanos;
    }

    public int pendingReplies() {
        return pending;
    }

    /** Requests were read that are not in the queue yet (it is full). */
    public boolean isHolding() {
        return holding;
    }

    /**
     * After {@link #stopReading()}: true once a whole round of the loop ran stopped, so that nothing read from then
     * on goes to the queue (it is answered RETRY at once). Check it, then {@link #isHolding()}, then the queue:
     * in that order, a request on its way from this thread to the queue is seen in one of them.
     */
    public boolean hasStoppedReading() {
        return readingStopped;
    }

    /** Stop taking new requests (graceful stop): replies still go out, new requests are answered RETRY. */
    public void stopReading() {
        reading = false;
        wake();
    }

    /** End the loop; call once every reply is out (see {@link #pendingReplies()}). */
    public void stop() {
        running = false;
        wake();
    }

    private void wake() {
        replies.wake();
    }

    /**
     * One long-lived selector holds the socket's signalling descriptor and the wake-up pipe. (ZMQ.Poller registers
     * and cancels its channels on every call: two epoll_ctl system calls per loop, a cost per message that showed
     * as the listener's main CPU use.) The socket's descriptor is edge-like: it says "look again", so before
     * blocking the loop asks the socket itself whether a message is waiting.
     */
    @Override
    public void run() {
        try (Selector selector = Selector.open()) {
            SelectionKey socketKey = router.getFD().register(selector, SelectionKey.OP_READ);
            SelectionKey wakeKey = replies.wakeSource().register(selector, SelectionKey.OP_READ);
            var drain = ByteBuffer.allocate(64);
            boolean wakeReady = false;
            while (running && !Thread.currentThread().isInterrupted()) {
                heartbeatNanos = System.nanoTime();
                boolean stopped = !reading; // once false, every message read from here on is answered RETRY
                replies.clearWake(drain, wakeReady);
                long newLimit = transportLimitChange;
                if (newLimit > 0) {
                    router.setMaxMsgSize(newLimit); // socket options only from this thread
                    transportLimitChange = -1;
                }
                sendReplies();
                queue.offerAll(waiting);
                if (waiting.isEmpty()) {
                    readBurst();
                    // the whole burst at once: one lock acquisition and one wake-up of the writers
                    queue.offerAll(waiting);
                }
                // a refused offer is remembered by the queue, and the writer that next takes records wakes us
                boolean canRead = waiting.isEmpty();
                holding = !canRead;
                if (stopped) readingStopped = true;
                socketKey.interestOps(canRead ? SelectionKey.OP_READ : 0);
                if (canRead && (router.getEvents() & ZMQ.Poller.POLLIN) != 0) {
                    selector.selectNow(); // more is waiting (a burst ended early): do not block
                } else if (replies.mayBlock()) {
                    // from here a completed batch writes the wake-up byte; while this thread is busy, none does
                    selector.select(100);
                    replies.awake();
                }
                wakeReady = selector.selectedKeys().contains(wakeKey);
                selector.selectedKeys().clear();
            }
            sendReplies();
            for (PendingRequest h; (h = waiting.pollFirst()) != null; ) {
                // no writer took it (they failed): answered here, as nothing else can
                Route.send(
                        router, java.util.Objects.requireNonNull(h.replyTo()), new Reply.Retry("shutting down").wire());
                stats.retried(h.records().size());
            }
            holding = false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (org.zeromq.ZMQException e) {
            if (e.getErrorCode() != zmq.ZError.ETERM) throw e;
        } finally {
            router.close();
        }
    }

    /**
     * Reads, without blocking, up to {@link #READ_BURST} waiting messages, and no more records than the queue has
     * room for (at least one message, so that a refused offer leaves the queue waiting to call us back): what was
     * read is bounded by the queue's size, and goes to {@link #waiting}, to be handed over in one piece.
     */
    private void readBurst() {
        int room = queue.room();
        int records = 0;
        for (int i = 0; i < READ_BURST && (i == 0 || records < room); i++) {
            zmq.Msg frame = router.recvMsg(ZMQ.DONTWAIT);
            if (frame == null) return;
            // the connection's ZAP User-Id (a CURVE client's public key) travels as metadata of the frames it sent
            // (not of the routing-id frame, which the ROUTER adds)
            String userId = null;
            frames.clear();
            frames.add(frame.data());
            while (frame.hasMore()) {
                frame = router.recvMsg(0);
                frames.add(frame.data());
                if (userId == null && frame.getMetadata() != null)
                    userId = frame.getMetadata().get(zmq.io.Metadata.USER_ID);
            }
            records += accept(frames, userId);
        }
    }

    // pending is volatile for the draining thread; only this, the listener thread, writes it
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private int accept(List<byte[]> msg, @Nullable String userId) {
        long now = System.nanoTime();
        var route = Route.split(msg);
        if (route.problem() != null) {
            rejectNow(route, Reply.reject(Reply.Reason.ENVELOPE, route.problem()), route.body());
            return 0;
        }
        byte[] body = java.util.Objects.requireNonNull(route.body(), "a well-formed envelope has a body");
        if (admission != null && admission.isRevoked(userId)) {
            rejectNow(
                    route,
                    Reply.reject(
                            Reply.Reason.KEY_REVOKED,
                            "client key " + userId + " was removed from "
                                    + "curve.clients.dir; this client may no longer write"),
                    route.body());
            return 0;
        }
        var l = limits;
        var key = route.replyTo().peerKey();
        int peerPending = pendingByPeer.getOrDefault(key, 0);
        if (peerPending >= l.maxPendingPerPeer()) {
            rejectNow(
                    route,
                    Reply.reject(
                            Reply.Reason.TOO_MANY_PENDING,
                            "too many unanswered requests on this " + "connection (max " + l.maxPendingPerPeer()
                                    + "); wait for replies"),
                    route.body());
            return 0;
        }
        return switch (RecordParser.parse(body, l.maxBytes(), l.maxRecords())) {
            case RecordParser.Result.Invalid(var reject) -> {
                rejectNow(route, reject, body);
                yield 0;
            }
            case RecordParser.Result.Parsed(var records)
            when !reading -> {
                // stopping: what arrives now is answered at once, so no client waits on a daemon that is leaving
                stats.messages.increment();
                stats.retried(records.size());
                Route.send(router, route.replyTo(), new Reply.Retry("shutting down").wire());
                yield 0;
            }
            case RecordParser.Result.Parsed(var records) -> {
                stats.received(records.size());
                pendingByPeer.merge(key, 1, Integer::sum);
                pending++;
                // queued with the rest of the burst; if the queue is full it waits here, and reading stops
                waiting.addLast(new PendingRequest(records, route.replyTo(), now));
                yield records.size();
            }
        };
    }

    private void rejectNow(Route route, Reply.Reject reject, byte @Nullable [] raw) {
        if (reject.reason() == Reply.Reason.TOO_LARGE || reject.reason() == Reply.Reason.KEY_REVOKED) {
            long now = System.nanoTime();
            if (now - lastTooLargeLog > 1_000_000_000L) { // at most a line a second: a flood must not flood the log
                log.warn("refused a message from {}: {}", route.replyTo().peerName(), reject.detail());
                lastTooLargeLog = now;
            }
        }
        stats.messages.increment();
        stats.rejected(reject.reason());
        rejects.write(route.replyTo(), reject, raw == null ? new byte[0] : raw);
        Route.send(router, route.replyTo(), reject.wire());
    }

    // pending is volatile for the draining thread; only this, the listener thread, writes it
    @SuppressWarnings("NonAtomicVolatileUpdate")
    private void sendReplies() {
        PendingRequest r;
        while ((r = replies.poll()) != null) {
            var to = java.util.Objects.requireNonNull(r.replyTo(), "a received request has a peer");
            Route.send(
                    router,
                    to,
                    java.util.Objects.requireNonNull(r.reply(), "completed").wire());
            pending--;
            pendingByPeer.computeIfPresent(to.peerKey(), (k, n) -> n <= 1 ? null : n - 1);
        }
    }
}
