package io.ingestd.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of the real database server, to take the database away without touching the server
 * other tests use: {@link #cut()} closes every connection and refuses new ones, {@link #blackhole()} keeps
 * connections open but forwards nothing (a hung server), {@link #restore()} brings it back.
 */
public final class TcpProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int upstreamPort;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;
    private volatile boolean blackholed;
    private volatile boolean closed;

    public TcpProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofPlatform().daemon().name("proxy-accept").start(this::acceptLoop);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Closes every connection and refuses new ones: the database is gone. */
    public void cut() {
        refusing = true;
        closeAll();
    }

    /** Connections stay open but nothing moves: the database hangs. */
    public void blackhole() {
        blackholed = true;
    }

    /** Drops the connections open now (each side sees a reset), accepting new ones. */
    public void dropConnections() {
        closeAll();
    }

    public void restore() {
        blackholed = false;
        refusing = false;
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = server.accept();
                if (refusing) {
                    client.setSoLinger(true, 0);
                    client.close();
                    continue;
                }
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                sockets.add(client);
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                if (closed) return;
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread.ofPlatform().daemon().name("proxy-pump").start(() -> {
            var buf = new byte[65536];
            try (InputStream in = from.getInputStream();
                    OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    while (blackholed && !from.isClosed()) java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    out.write(buf, 0, n);
                }
            } catch (IOException e) {
                // one side closed; close the other too
            } finally {
                quietClose(from);
                quietClose(to);
            }
        });
    }

    private void closeAll() {
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
            } catch (IOException e) {
                // closing anyway
            }
            quietClose(s);
        }
        sockets.clear();
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        closeAll();
    }
}
