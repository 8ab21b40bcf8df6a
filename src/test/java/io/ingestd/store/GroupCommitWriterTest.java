package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.config.Config;
import io.ingestd.config.ConfigLoader;
import io.ingestd.log.RejectLog;
import io.ingestd.metrics.Stats;
import io.ingestd.protocol.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The writer against an in-memory H2: group commit, idempotent re-sends, conflicts. Runs in about a second. */
class GroupCommitWriterTest {
    @TempDir
    Path dir;

    Database db;
    RequestQueue queue;
    ReplyChannel replies;
    GroupCommitWriter writer;
    Thread thread;
    final Stats stats = new Stats();

    @BeforeEach
    void start() throws Exception {
        // a file in the test's directory: the configuration refuses in-memory H2 (acknowledged records would vanish)
        String url = "jdbc:h2:file:" + dir.resolve("fee-" + UUID.randomUUID());
        Config config = ConfigLoader.load(new Config.Source(Optional.empty(), Map.of("db.url", url), dir), Map.of())
                .config();
        db = Database.open(config);
        replies = new ReplyChannel();
        queue = new RequestQueue(100_000, replies::wake);
        var processing = new ProcessingStage(db, stats, Duration.ofSeconds(10), Duration.ZERO, true);
        writer = new GroupCommitWriter(
                db, queue, replies, processing, stats, new RejectLog(), 5000, Duration.ofSeconds(1));
        thread = Thread.ofPlatform().name("writer-test").start(writer);
    }

    @AfterEach
    void stop() throws Exception {
        writer.stop();
        thread.join();
        replies.close();
        db.close();
    }

    private List<Reply> send(PendingRequest... requests) {
        for (var r : requests) assertThat(queue.offer(r)).isTrue();
        var answered = new ArrayList<PendingRequest>();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            PendingRequest r;
            while ((r = replies.poll()) != null) answered.add(r);
            return answered.size() == requests.length;
        });
        var out = new ArrayList<Reply>();
        for (var r : requests) out.add(r.reply());
        return out;
    }

    @Test
    void everyRequestOfAGroupIsAcknowledgedOnceCommitted() {
        var replies = send(
                RequestQueueTest.request(1, 3), RequestQueueTest.request(10, 1), RequestQueueTest.request(20, 500));
        assertThat(replies).containsOnly(Reply.Ack.INSTANCE);
        assertThat(stats.recordsAcknowledged.sum()).isEqualTo(504);
    }

    @Test
    void anIdenticalResendIsAcknowledgedAndADifferentOneIsAConflict() {
        assertThat(send(RequestQueueTest.request(1, 2))).containsOnly(Reply.Ack.INSTANCE);
        assertThat(send(RequestQueueTest.request(1, 2))).as("identical again").containsOnly(Reply.Ack.INSTANCE);
        var body = "2,8,1.5\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        var parsed = (io.ingestd.protocol.RecordParser.Result.Parsed)
                io.ingestd.protocol.RecordParser.parse(body, 1 << 20, 10);
        var conflicting = new PendingRequest(parsed.records(), RequestQueueTest.PEER, System.nanoTime());
        var reply = send(conflicting).getFirst();
        assertThat(reply).isInstanceOf(Reply.Reject.class);
        assertThat(((Reply.Reject) reply).reason()).isEqualTo(Reply.Reason.CONFLICT);
    }
}
