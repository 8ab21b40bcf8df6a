package io.ingestd.daemon;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local control channel: a Unix socket next to the PID file, owned by the daemon's user, where {@code status}
 * reads the live state (one request line in, one answer out). Local only: file permissions are the access control.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final Function<String, String> handler;
    private volatile boolean open = true;

    public ControlServer(Path path, Function<String, String> handler) throws IOException {
        this.path = path;
        this.handler = handler;
        Files.deleteIfExists(path); // left by a crash; we hold the PID lock, so it is not another daemon's
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
    }

    public static Path pathFor(Path pidFile) {
        String name = pidFile.getFileName().toString().replaceFirst("\\.pid$", "");
        return pidFile.resolveSibling(name + ".sock");
    }

    public Path path() { return path; }

    public void start(Supervisor supervisor) {
        supervisor.startBackground("control", this::serve);
    }

    private void serve() {
        while (open) {
            try (SocketChannel c = server.accept()) {
                var buf = ByteBuffer.allocate(1024);
                while (c.read(buf) > 0 && buf.get(buf.position() - 1) != '\n') {
                    if (!buf.hasRemaining()) break;
                }
                String request = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8).strip();
                String answer;
                try {
                    answer = handler.apply(request);
                } catch (RuntimeException e) {
                    log.warn("control request '{}' failed", request, e);
                    answer = "error: " + e.getMessage();
                }
                c.write(ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8)));
            } catch (IOException e) {
                if (open) log.debug("control connection failed: {}", e.toString());
            }
        }
    }

    /** Asks a running daemon; empty if there is none listening. */
    public static java.util.Optional<String> ask(Path path, String request) {
        if (!Files.exists(path)) return java.util.Optional.empty();
        try (var c = SocketChannel.open(UnixDomainSocketAddress.of(path))) {
            c.write(ByteBuffer.wrap((request + "\n").getBytes(StandardCharsets.UTF_8)));
            var out = new java.io.ByteArrayOutputStream();
            var buf = ByteBuffer.allocate(8192);
            while (c.read(buf.clear()) > 0) out.write(buf.array(), 0, buf.position());
            return java.util.Optional.of(out.toString(StandardCharsets.UTF_8).strip());
        } catch (IOException e) {
            return java.util.Optional.empty();
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
}
