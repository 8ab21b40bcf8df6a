package io.ingestd.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The way back from the writers to the socket's thread: answered requests go into a queue, and a byte in a pipe
 * wakes the socket's selector (ZeroMQ sockets are not thread-safe, so only that thread may send). The daemon
 * creates it and hands it to both sides; anything else that needs the socket's thread to look again (space in the
 * request queue, a stop) wakes it here too.
 */
public final class ReplyChannel implements AutoCloseable {
    private final Queue<PendingRequest> answered = new ConcurrentLinkedQueue<>();
    private final Pipe pipe;
    private final AtomicBoolean wakePending = new AtomicBoolean();

    public ReplyChannel() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the reply channel's wake-up pipe", e);
        }
    }

    /** Hands answered requests to the socket's thread. */
    public void complete(List<PendingRequest> requests) {
        answered.addAll(requests);
        wake();
    }

    /** The next answered request, or null. Socket thread only. */
    public PendingRequest poll() {
        return answered.poll();
    }

    public boolean isEmpty() {
        return answered.isEmpty();
    }

    /** Makes the socket's thread come round its loop (at most one byte in the pipe at a time). */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            try {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot wake the socket's thread", e);
            }
        }
    }

    /** The end of the pipe the socket's thread registers with its selector. */
    public Pipe.SourceChannel wakeSource() {
        return pipe.source();
    }

    /** Empties the pipe. Socket thread only, at the top of its loop. */
    public void clearWake(ByteBuffer scratch) {
        try {
            while (pipe.source().read(scratch.clear()) > 0) {
                // discard: the bytes only woke the selector
            }
            // cleared only after the drain: cleared first, a wake-up written in between would be drained while the
            // flag stayed set, and later wake-ups would be skipped until the selector's timeout
            wakePending.set(false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            pipe.sink().close();
            pipe.source().close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
