package io.ingestd.it;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.charset.StandardCharsets;

/** Test clients: the seed's lock-step REQ client, over real ZeroMQ sockets on loopback. */
public final class Clients {
    private Clients() {}

    /** A REQ client as the trading servers of the seed use it: one request, one reply. */
    public static final class Req implements AutoCloseable {
        private final ZContext ctx = new ZContext(1);
        private final ZMQ.Socket socket;
        private final String endpoint;

        public Req(String endpoint) {
            this.endpoint = endpoint;
            socket = ctx.createSocket(SocketType.REQ);
            socket.setLinger(0);
            socket.setReceiveTimeOut(90_000);
            socket.setHandshakeIvl(io.ingestd.client.Sender.HANDSHAKE_MILLIS);
            socket.connect(endpoint);
        }

        public String request(String body) {
            return request(body.getBytes(StandardCharsets.UTF_8));
        }

        public String request(byte[] body) {
            socket.send(body, 0);
            byte[] reply = socket.recv(0);
            if (reply == null) {
                throw new AssertionError("no reply from " + endpoint + " within 90 s; the daemon's log:\n"
                        + Ingestd.logTail(endpoint) + "\nthreads:\n" + Ingestd.threadDump(endpoint));
            }
            return new String(reply, StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            socket.close();
            ctx.close();
        }
    }
}
