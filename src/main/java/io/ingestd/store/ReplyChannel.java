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
    // set by the socket's thread just before it blocks in its selector: only then does a completed batch need a
    // byte in the pipe (a write system call and a wake-up each), not once per batch while that thread is busy
    private volatile boolean blocking;

    public ReplyChannel() {
        try {
            pipe = Pipe.open();
            pipe.source().configureBlocking(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the reply channel's wake-up pipe", e);
        }
    }

    /**
     * Hands answered requests to the socket's thread; wakes it only if it is blocked or about to block (it looks at
     * the queue on every round of its loop otherwise).
     */
    public void complete(List<PendingRequest> requests) {
        answered.addAll(requests);
        // after the add: either the socket's thread sees the requests in mayBlock(), or this sees it blocking
        if (blocking) wake();
    }

    /**
     * Socket thread only, right before it blocks: true if it may block (nothing answered is waiting; a batch
     * completed from now on wakes it). Call {@link #awake()} once the selector returns.
     */
    public boolean mayBlock() {
        blocking = true;
        if (answered.isEmpty()) return true;
        blocking = false;
        return false;
    }

    /** Socket thread only: it is no longer blocked. */
    public void awake() {
        blocking = false;
    }

    /** The next answered request, or null. Socket thread only. */
    public PendingRequest poll() {
        return answered.poll();
    }

    public boolean isEmpty() {
        return answered.isEmpty();
    }

    /**
     * Makes the socket's thread come round its loop (at most one byte in the pipe at a time): for anything other
     * than answered requests (space in the queue, a stop, a reload), always.
     */
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

    /**
     * Empties the pipe. Socket thread only, at the top of its loop; {@code pipeReady}: its selector reported the
     * pipe readable.
     */
    public void clearWake(ByteBuffer scratch, boolean pipeReady) {
        // nothing was written and the selector did not see a byte (the common case while the socket's thread is
        // busy): no read system call. A byte written after its flag was cleared here is seen by the selector, and
        // `pipeReady` drains it on the next round (else the selector would return at once forever)
        if (!pipeReady && !wakePending.get()) return;
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
