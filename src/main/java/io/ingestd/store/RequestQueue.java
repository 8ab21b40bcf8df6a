package io.ingestd.store;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The bounded queue between the socket and the writers, counted in records. {@link #offerAll} never blocks: when
 * the queue is full the listener holds what it read and stops reading the socket (backpressure), so nothing is
 * dropped and memory stays bounded.
 */
public final class RequestQueue {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final ArrayDeque<PendingRequest> queue = new ArrayDeque<>();
    private final int capacity;
    private final Runnable onSpace;
    private int records;
    private boolean refused;

    /** @param onSpace called (from a writer thread) when records were taken after an offer was refused, so the held message can go in */
    public RequestQueue(int capacity, Runnable onSpace) {
        this.capacity = capacity;
        this.onSpace = onSpace;
    }

    /** One request, as {@link #offerAll} takes a group: false (and {@code onSpace} later) when it does not fit. */
    public boolean offer(PendingRequest r) {
        return offerAll(new ArrayDeque<>(List.of(r))) == 1;
    }

    /**
     * Moves requests from the head of {@code group} into the queue, in order, as far as there is room, under one
     * lock acquisition and with one signal to the writers: the listener hands over what one read burst brought,
     * not message by message (a wake-up per message was a system call per message). What does not fit stays in
     * {@code group}, and {@code onSpace} is called once a writer has taken records.
     *
     * @return how many requests were moved
     */
    public int offerAll(java.util.Deque<PendingRequest> group) {
        if (group.isEmpty()) return 0;
        int moved = 0;
        lock.lock();
        try {
            for (PendingRequest r; (r = group.peekFirst()) != null; ) {
                int n = r.records().size();
                if (records + n > capacity && !queue.isEmpty()) {
                    refused = true;
                    break;
                }
                queue.add(group.pollFirst());
                records += n;
                moved++;
            }
            // one writer is woken; it wakes the next if it leaves requests behind (see take)
            if (moved > 0) notEmpty.signal();
            return moved;
        } finally {
            lock.unlock();
        }
    }

    /** Records that fit before the queue is full: the listener reads no more than this in one burst. */
    public int room() {
        lock.lock();
        try {
            return Math.max(0, capacity - records);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits up to the timeout for a first request, then takes whatever else is queued up to {@code maxRecords}:
     * the batch grows by itself while the previous commit runs (group commit).
     */
    List<PendingRequest> take(int maxRecords, long timeoutNanos) throws InterruptedException {
        var batch = new ArrayList<PendingRequest>();
        boolean wasFull;
        lock.lock();
        try {
            long wait = timeoutNanos;
            while (queue.isEmpty()) {
                if (wait <= 0) return batch;
                wait = notEmpty.awaitNanos(wait);
            }
            int taken = 0;
            while (!queue.isEmpty()
                    && (batch.isEmpty() || taken + queue.peek().records().size() <= maxRecords)) {
                var r = queue.poll();
                taken += r.records().size();
                batch.add(r);
            }
            records -= taken;
            // a group handed over at once signals one writer: what this batch left is for the next one
            if (!queue.isEmpty()) notEmpty.signal();
            wasFull = refused;
            refused = false;
        } finally {
            lock.unlock();
        }
        if (wasFull) onSpace.run();
        return batch;
    }

    /** Removes everything queued (for a fast stop, to be answered RETRY). */
    public List<PendingRequest> drainAll() {
        lock.lock();
        try {
            var all = new ArrayList<>(queue);
            queue.clear();
            records = 0;
            return all;
        } finally {
            lock.unlock();
        }
    }

    public int records() {
        lock.lock();
        try {
            return records;
        } finally {
            lock.unlock();
        }
    }

    public boolean isEmpty() {
        return records() == 0;
    }
}
