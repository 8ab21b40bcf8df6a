package io.ingestd.listener;

import io.ingestd.protocol.ReplyTo;
import org.jspecify.annotations.Nullable;
import org.zeromq.ZMQ;

import java.util.Arrays;
import java.util.List;

/**
 * One received message taken apart: where its reply goes, and its body. A message that breaks the envelope rules
 * is kept with the reason, to be answered FALSE.
 */
@SuppressWarnings("ArrayRecordComponent") // one received message, never compared
record Route(
        ReplyTo replyTo, byte @Nullable [] body, @Nullable String problem) {

    static Route split(List<byte[]> msg) {
        int n = msg.size();
        var frames = msg.toArray(new byte[n][]);
        int delimiter = -1;
        for (int i = 1; i < n && delimiter < 0; i++) if (frames[i].length == 0) delimiter = i;
        if (delimiter < 0) {
            // no delimiter: answer straight to the routing id, with the body if there is exactly one
            byte[] body = n == 2 ? frames[1] : null;
            return new Route(
                    new ReplyTo(new byte[][] {frames[0]}),
                    body,
                    "missing envelope: expected an empty delimiter frame before the body (use a REQ socket, "
                            + "or send an empty frame first from a DEALER)");
        }
        var replyTo = new ReplyTo(Arrays.copyOf(frames, delimiter + 1));
        int bodies = n - delimiter - 1;
        if (bodies != 1) {
            return new Route(
                    replyTo,
                    bodies > 0 ? frames[delimiter + 1] : null,
                    "expected 1 body frame after the delimiter, got " + bodies);
        }
        return new Route(replyTo, frames[delimiter + 1], null);
    }

    /** Sends a reply to where a request came from. Socket thread only. */
    static void send(ZMQ.Socket router, ReplyTo to, byte[] reply) {
        for (byte[] frame : to.envelope()) router.send(frame, ZMQ.SNDMORE);
        router.send(reply, 0);
    }
}
