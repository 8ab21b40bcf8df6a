package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.config.Config;
import io.ingestd.config.ConfigLoader;
import io.ingestd.metrics.Stats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The processing stage's heartbeat and hand-off, against an in-memory H2. */
class ProcessingStageTest {
    @TempDir
    Path dir;

    Database db;
    final Stats stats = new Stats();
    ProcessingStage stage;

    @BeforeEach
    void open() throws Exception {
        // a file in the test's directory: the configuration refuses in-memory H2
        String url = "jdbc:h2:file:" + dir.resolve("fee-" + UUID.randomUUID());
        Config config = ConfigLoader.load(new Config.Source(Optional.empty(), Map.of("db.url", url), dir), Map.of())
                .config();
        db = Database.open(config);
        stage = new ProcessingStage(db, stats, Duration.ofSeconds(10), Duration.ZERO, false);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void anIdleStageComesRoundWellWithinItsStallLimit() throws Exception {
        assertThat(stage.stallLimitNanos(Duration.ofSeconds(10)))
                .as("sweep interval + 3 network timeouts + a minute for a FeeProcessor")
                .isEqualTo(Duration.ofSeconds(10 + 30 + 60).toNanos());
        var thread = Thread.ofPlatform().name("processing-test").start(stage);
        try {
            long before = stage.heartbeatNanos();
            await().atMost(Duration.ofSeconds(5)).until(() -> stage.heartbeatNanos() - before > 0);
            long seen = stage.heartbeatNanos();
            await().atMost(Duration.ofSeconds(5)).until(() -> stage.heartbeatNanos() - seen > 0);
        } finally {
            stage.stop();
            thread.join();
        }
    }

    @Test
    void batchesHandedOverWhileTheStageIsBehindAreCountedAsDeferred() {
        for (int i = 0; i < 1024; i++) stage.submit(new long[] {i});
        assertThat(stats.processingDeferred.sum()).isZero();
        stage.submit(new long[] {1, 2, 3});
        stage.submit(new long[0]);
        assertThat(stats.processingDeferred.sum()).isEqualTo(3);
    }
}
