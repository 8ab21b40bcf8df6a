package io.ingestd.bench;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import java.nio.charset.StandardCharsets;

/**
 * The transport's ceiling for the benchmark: a bare JeroMQ ROUTER that answers every request {@code TRUE} at once,
 * from one thread, with no parsing, queue or database. {@code bench/run} measures it with the same
 * {@code ingestd bench} client as the daemon, so each daemon figure can be given as a ratio to it. Runs until
 * killed, or for at most the given number of seconds.
 */
public final class BareRouter {
    private static final byte[] TRUE = "TRUE".getBytes(StandardCharsets.US_ASCII);

    private BareRouter() {}

    public static void main(String[] args) {
        String endpoint = args.length > 0 ? args[0] : "tcp://127.0.0.1:5599";
        long maxSeconds = args.length > 1 ? Long.parseLong(args[1]) : 600;
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        try (var context = new ZContext(1)) {
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setRcvHWM(10_000);
            router.setSndHWM(100_000);
            router.setReceiveTimeOut(1000);
            router.bind(endpoint);
            System.out.println("ready " + endpoint);
            System.out.flush();
            while (System.nanoTime() < deadline) {
                ZMsg msg = ZMsg.recvMsg(router);
                if (msg == null) continue; // receive timeout: look at the deadline again
                msg.removeLast(); // the body; the envelope (routing id, tags, delimiter) goes back unchanged
                msg.add(TRUE);
                msg.send(router);
            }
        }
    }
}
