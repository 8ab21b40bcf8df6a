package io.ingestd.daemon;

import jdk.net.ExtendedSocketOptions;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The local control channel: a Unix socket next to the PID file, created by the daemon's user, where {@code status}
 * reads the live state (one request line in, one answer out). Each connection's peer is checked (SO_PEERCRED)
 * against {@link Access}: the file's mode alone would let any process of the daemon's user reconfigure it.
 * Every exchange has a deadline on both sides: the daemon serves each connection on its own virtual thread and
 * drops one that has not sent its line in time, and a client gives up on a daemon that does not answer in time.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    /** How long the daemon waits for a client's request line. */
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(2);
    /** How long a client waits for the daemon's answer: a live daemon answers in milliseconds. */
    public static final Duration ANSWER_DEADLINE = Duration.ofSeconds(5);
    /** Connections served at once; more are closed at once (a local flood must not grow threads without bound). */
    private static final int MAX_CONNECTIONS = 32;

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<String, String> handler;
    private final Access access;
    private final Semaphore slots = new Semaphore(MAX_CONNECTIONS);
    private volatile boolean open = true;

    /**
     * Who may ask what: root everything; the daemon's own user only what reads ({@link #READS}), unless it started
     * the daemon itself ({@code mayChange}: no privilege drop, so that user is the operator); anyone else nothing.
     */
    public record Access(String daemonUser, boolean mayChange) {
        /** The requests that change nothing. */
        static final java.util.Set<String> READS = java.util.Set.of("status", "status-text", "config");

        boolean permits(String peer, String request) {
            if (peer.equals("root")) return true;
            if (!peer.equals(daemonUser)) return false;
            return mayChange || READS.contains(request.split(" ", 2)[0]);
        }

        String refusal(String peer, String request) {
            String what = request.split(" ", 2)[0];
            return "error: permission denied: user " + peer + " may not ask for '" + what + "' (root may ask for "
                    + "anything"
                    + (mayChange
                            ? ""
                            : ", user " + daemonUser + " only for " + String.join(", ", new java.util.TreeSet<>(READS)))
                    + ")";
        }
    }

    /** What asking the daemon gave: its answer, no daemon listening, or no answer within the deadline. */
    public sealed interface Answer {
        record Answered(String text) implements Answer {}

        record NoDaemon() implements Answer {}

        record NotResponding(Duration waited) implements Answer {}
    }

    public ControlServer(Path path, Function<String, String> handler, Access access) throws IOException {
        this.path = path;
        this.handler = handler;
        this.access = access;
        Files.deleteIfExists(path); // left by a crash; we hold the PID lock, so it is not another daemon's
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    public static Path pathFor(Path pidFile) {
        String name = pidFile.getFileName().toString().replaceFirst("\\.pid$", "");
        return pidFile.resolveSibling(name + ".sock");
    }

    public Path path() {
        return path;
    }

    public void start(Supervisor supervisor) {
        supervisor.startBackground("control", this::serve);
    }

    private void serve() {
        var backOff = new AcceptBackOff("control socket " + path);
        while (open) {
            SocketChannel c;
            try {
                c = server.accept();
                backOff.succeeded();
            } catch (IOException e) {
                // out of descriptors (EMFILE) fails every accept until some are freed: wait, do not spin
                if (open) backOff.failed(e);
                continue;
            }
            if (!slots.tryAcquire()) {
                log.warn("control socket {}: {} connections already open; closing a new one", path, MAX_CONNECTIONS);
                closeQuietly(c);
                continue;
            }
            Thread.ofVirtual().name("control-connection").start(() -> {
                try {
                    answer(c);
                } finally {
                    slots.release();
                    closeQuietly(c);
                }
            });
        }
    }

    private void answer(SocketChannel c) {
        long deadline = System.nanoTime() + REQUEST_DEADLINE.toNanos();
        String request;
        try {
            request = Deadlines.readLine(c, deadline, 1024);
        } catch (IOException e) {
            log.debug("control connection dropped before its request: {}", e.toString());
            return;
        }
        if (request == null) {
            log.debug("control connection sent no request within {} s; closed", REQUEST_DEADLINE.toSeconds());
            return;
        }
        String answer;
        try {
            String peer = c.getOption(ExtendedSocketOptions.SO_PEERCRED).user().getName();
            if (access.permits(peer, request.strip())) {
                answer = handler.apply(request.strip());
            } else {
                answer = access.refusal(peer, request.strip());
                log.warn(
                        "control socket: refused '{}' from user {}",
                        request.strip().split(" ", 2)[0],
                        peer);
            }
        } catch (IOException e) {
            log.warn("control socket: cannot tell who connected ({}); request refused", e.toString());
            answer = "error: permission denied: the peer's credentials cannot be read";
        } catch (RuntimeException e) {
            log.warn("control request '{}' failed", request.strip(), e);
            answer = "error: " + e.getMessage();
        }
        try {
            boolean sent = Deadlines.write(
                    c,
                    (answer + "\n").getBytes(StandardCharsets.UTF_8),
                    System.nanoTime() + REQUEST_DEADLINE.toNanos());
            if (!sent) log.debug("control client did not read its answer within {} s", REQUEST_DEADLINE.toSeconds());
        } catch (IOException e) {
            log.debug("control connection dropped before its answer: {}", e.toString());
        }
    }

    /** Asks a running daemon; empty if there is none listening or it does not answer in time. */
    public static Optional<String> ask(Path path, String request) {
        return query(path, request, ANSWER_DEADLINE) instanceof Answer.Answered(String text)
                ? Optional.of(text)
                : Optional.empty();
    }

    /** Asks a running daemon, waiting at most {@code deadline} for the whole exchange (connect, send, answer). */
    public static Answer query(Path path, String request, Duration timeout) {
        if (!Files.exists(path)) return new Answer.NoDaemon();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (var c = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            c.configureBlocking(false);
            if (!Deadlines.connect(c, UnixDomainSocketAddress.of(path), deadline)
                    || !Deadlines.write(c, (request + "\n").getBytes(StandardCharsets.UTF_8), deadline)) {
                return new Answer.NotResponding(timeout);
            }
            String answer = Deadlines.readToEnd(c, deadline);
            return answer == null ? new Answer.NotResponding(timeout) : new Answer.Answered(answer.strip());
        } catch (IOException e) {
            return new Answer.NoDaemon(); // refused or reset: no daemon behind the socket file
        }
    }

    private static void closeQuietly(SocketChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            log.debug("closing a control connection: {}", e.toString());
        }
    }

    @Override
    public void close() {
        open = false;
        try {
            server.close();
            Files.deleteIfExists(path);
        } catch (IOException e) {
            // best effort: a stale socket file is replaced at the next start
        }
    }

    /** Non-blocking channel I/O bounded by a deadline ({@link System#nanoTime()}); null or false when it passes. */
    static final class Deadlines {
        private Deadlines() {}

        static boolean connect(SocketChannel c, java.net.SocketAddress to, long deadline) throws IOException {
            return c.connect(to) || (await(c, SelectionKey.OP_CONNECT, deadline) && c.finishConnect());
        }

        static boolean write(SocketChannel c, byte[] bytes, long deadline) throws IOException {
            c.configureBlocking(false);
            var buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                if (c.write(buf) == 0 && !await(c, SelectionKey.OP_WRITE, deadline)) return false;
            }
            return true;
        }

        /** One line (without waiting for more after its newline), or what came before end of stream or the limit. */
        static @Nullable String readLine(SocketChannel c, long deadline, int limit) throws IOException {
            c.configureBlocking(false);
            var buf = ByteBuffer.allocate(limit);
            while (buf.hasRemaining() && (buf.position() == 0 || buf.get(buf.position() - 1) != '\n')) {
                int n = c.read(buf);
                if (n < 0) break;
                if (n == 0 && !await(c, SelectionKey.OP_READ, deadline)) return null;
            }
            return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
        }

        static @Nullable String readToEnd(SocketChannel c, long deadline) throws IOException {
            c.configureBlocking(false);
            var out = new ByteArrayOutputStream();
            var buf = ByteBuffer.allocate(8192);
            while (true) {
                int n = c.read(buf.clear());
                if (n < 0) return out.toString(StandardCharsets.UTF_8);
                if (n > 0) out.write(buf.array(), 0, n);
                else if (!await(c, SelectionKey.OP_READ, deadline)) return null;
            }
        }

        /** Waits until the channel is ready for {@code op}; false once the deadline has passed. */
        private static boolean await(SocketChannel c, int op, long deadline) throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) return false;
            try (var selector = Selector.open()) {
                var key = c.register(selector, op);
                selector.select(Math.max(1, left / 1_000_000));
                boolean ready = key.isValid() && (key.readyOps() & op) != 0;
                key.cancel();
                return ready || System.nanoTime() - deadline < 0;
            }
        }
    }
}
