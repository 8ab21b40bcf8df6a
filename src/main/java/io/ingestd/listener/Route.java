package io.ingestd.listener;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import org.zeromq.ZFrame;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

/**
 * Where a reply goes: the envelope of a request (the peer's routing id, any tag frames, the empty delimiter),
 * returned unchanged with the reply as a REP socket would; and the request body. A message that breaks the
 * envelope rules is kept with the reason, to be answered FALSE.
 */
record Route(byte[][] envelope, byte[] body, String problem) {

    static Route split(ZMsg msg) {
        int n = msg.size();
        var frames = new byte[n][];
        int delimiter = -1;
        int i = 0;
        for (ZFrame f : msg) {
            frames[i] = f.getData();
            if (delimiter < 0 && i > 0 && frames[i].length == 0) delimiter = i;
            i++;
        }
        if (delimiter < 0) {
            // no delimiter: answer straight to the routing id, with the body if there is exactly one
            byte[] body = n == 2 ? frames[1] : null;
            return new Route(new byte[][] {frames[0]}, body,
                    "missing envelope: expected an empty delimiter frame before the body (use a REQ socket, "
                            + "or send an empty frame first from a DEALER)");
        }
        var envelope = java.util.Arrays.copyOf(frames, delimiter + 1);
        int bodies = n - delimiter - 1;
        if (bodies != 1) {
            return new Route(envelope, bodies > 0 ? frames[delimiter + 1] : null,
                    "expected 1 body frame after the delimiter, got " + bodies);
        }
        return new Route(envelope, frames[delimiter + 1], null);
    }

    void send(ZMQ.Socket router, byte[] reply) {
        for (byte[] frame : envelope) router.send(frame, ZMQ.SNDMORE);
        router.send(reply, 0);
    }

    /** The connection's routing id as a map key. */
    ByteBuffer peerKey() { return ByteBuffer.wrap(envelope[0]); }

    String peerName() { return "conn-" + HexFormat.of().formatHex(envelope[0]); }
}
