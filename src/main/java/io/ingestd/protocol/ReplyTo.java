package io.ingestd.protocol;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/**
 * Where the reply to one request goes: the request's envelope (the peer's routing id, any tag frames a DEALER
 * added, the empty delimiter), returned unchanged with the reply as a REP socket would. Only the socket's thread
 * sends with it; everything else passes it through, and names the peer with it in logs.
 */
public final class ReplyTo {
    private final byte[][] envelope;

    public ReplyTo(byte[][] envelope) {
        if (envelope.length == 0) throw new IllegalArgumentException("an envelope holds at least the routing id");
        this.envelope = envelope;
    }

    /** The frames to send before the reply; not to be modified. */
    public byte[][] envelope() {
        return envelope;
    }

    /** The connection's routing id as a map key. */
    public ByteBuffer peerKey() {
        return ByteBuffer.wrap(envelope[0]);
    }

    /** The connection as logs name it ({@code conn-} and the routing id in hex). */
    public String peerName() {
        return "conn-" + HexFormat.of().formatHex(envelope[0]);
    }

    @Override
    public String toString() {
        return peerName();
    }
}
