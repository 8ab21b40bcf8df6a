package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.protocol.RecordParser;
import io.ingestd.protocol.ReplyTo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

class RequestQueueTest {
    static final ReplyTo PEER = new ReplyTo(new byte[][] {{1, 2}, {}});

    /** A request of {@code records} records with tickets from {@code first}, parsed as the listener does. */
    static PendingRequest request(long first, int records) {
        var body = new StringBuilder();
        for (int i = 0; i < records; i++) body.append(first + i).append(",7,1.5\n");
        var parsed = RecordParser.parse(body.toString().getBytes(StandardCharsets.UTF_8), 1 << 20, 10_000);
        return new PendingRequest(((RecordParser.Result.Parsed) parsed).records(), PEER, System.nanoTime());
    }

    private static PendingRequest request(int records) {
        return request(1, records);
    }

    @Test
    void takeGathersWhatIsQueuedUpToTheBatchLimitButAlwaysAtLeastOneRequest() throws Exception {
        var q = new RequestQueue(1000, () -> {});
        for (int i = 0; i < 5; i++) assertThat(q.offer(request(3))).isTrue();
        assertThat(q.records()).isEqualTo(15);
        assertThat(q.take(7, 0)).hasSize(2); // 3 + 3; a third would pass 7
        assertThat(q.take(1, 0)).hasSize(1); // larger than the limit, but never an empty batch while one waits
        assertThat(q.take(100, 0)).hasSize(2);
        assertThat(q.isEmpty()).isTrue();
        assertThat(q.take(100, TimeUnit.MILLISECONDS.toNanos(10))).isEmpty();
    }

    @Test
    void aFullQueueRefusesAndCallsBackOnlyOnceSpaceFollowsARefusal() throws Exception {
        var calls = new AtomicInteger();
        var q = new RequestQueue(10, calls::incrementAndGet);
        assertThat(q.offer(request(6))).isTrue();
        q.take(100, 0);
        assertThat(calls).hasValue(0); // nobody was waiting for space
        assertThat(q.offer(request(6))).isTrue();
        assertThat(q.offer(request(6))).as("6 + 6 > 10").isFalse();
        q.take(100, 0);
        assertThat(calls).hasValue(1);
        assertThat(q.offer(request(6))).isTrue();
    }

    @Test
    void aRequestLargerThanTheWholeQueueIsTakenWhenTheQueueIsEmpty() {
        var q = new RequestQueue(10, () -> {});
        assertThat(q.offer(request(50))).isTrue();
        assertThat(q.offer(request(1))).isFalse();
        assertThat(q.drainAll()).hasSize(1);
        assertThat(q.records()).isZero();
    }

    @Test
    void aGroupGoesInWholeWhenThereIsRoomAndInOrder() throws Exception {
        var q = new RequestQueue(1000, () -> {});
        var group = new ArrayDeque<PendingRequest>();
        for (int i = 0; i < 5; i++) group.add(request(1 + i * 10L, 3));
        assertThat(q.room()).isEqualTo(1000);
        assertThat(q.offerAll(group)).isEqualTo(5);
        assertThat(group).isEmpty();
        assertThat(q.room()).isEqualTo(985);
        assertThat(q.take(100, 0)).extracting(r -> r.records().ticket(0)).containsExactly(1L, 11L, 21L, 31L, 41L);
    }

    @Test
    void aGroupGoesInAsFarAsThereIsRoomTheRestStaysAndSpaceIsCalledBack() throws Exception {
        var calls = new AtomicInteger();
        var q = new RequestQueue(10, calls::incrementAndGet);
        var group = new ArrayDeque<PendingRequest>();
        for (int i = 0; i < 4; i++) group.add(request(1 + i * 10L, 3));
        assertThat(q.offerAll(group))
                .as("3 + 3 + 3 fit in 10, a fourth does not")
                .isEqualTo(3);
        assertThat(group).hasSize(1).first().satisfies(r -> assertThat(
                        r.records().ticket(0))
                .isEqualTo(31L));
        assertThat(q.room()).isEqualTo(1);
        assertThat(q.offerAll(group)).as("still full").isZero();
        assertThat(calls).hasValue(0);
        q.take(3, 0);
        assertThat(calls)
                .as("the refusal is called back once records were taken")
                .hasValue(1);
        assertThat(q.offerAll(group)).isEqualTo(1);
        assertThat(group).isEmpty();
        assertThat(q.offerAll(group)).as("an empty group").isZero();
    }

    @Test
    void aGroupLargerThanTheWholeQueueGoesInWhenTheQueueIsEmpty() {
        var q = new RequestQueue(10, () -> {});
        var group = new ArrayDeque<PendingRequest>(List.of(request(50), request(1)));
        assertThat(q.offerAll(group)).isEqualTo(1);
        assertThat(q.room()).isZero();
        assertThat(group).hasSize(1);
    }

    @Test
    void aGroupHandedOverWithOneSignalStillReachesEveryWaitingWriter() throws Exception {
        var q = new RequestQueue(1000, () -> {});
        var taken = new ConcurrentLinkedQueue<PendingRequest>();
        var ready = new CountDownLatch(3);
        var writers = new ArrayList<Thread>();
        for (int w = 0; w < 3; w++) {
            writers.add(Thread.ofPlatform().start(() -> {
                try {
                    ready.countDown();
                    // each writer takes one request at a time and then waits a long time for more: a writer that
                    // was not woken for what another left behind would not take its share before the timeout
                    taken.addAll(q.take(1, TimeUnit.SECONDS.toNanos(30)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        ready.await();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> writers.stream().allMatch(t -> t.getState() == Thread.State.TIMED_WAITING));
        var group = new ArrayDeque<PendingRequest>();
        for (int i = 0; i < 3; i++) group.add(request(1 + i * 10L, 1));
        assertThat(q.offerAll(group)).isEqualTo(3);
        for (var t : writers) assertThat(t.join(Duration.ofSeconds(10))).isTrue();
        assertThat(taken).hasSize(3);
    }
}
