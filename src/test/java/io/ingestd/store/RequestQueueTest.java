package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.protocol.RecordParser;
import io.ingestd.protocol.ReplyTo;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
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
}
