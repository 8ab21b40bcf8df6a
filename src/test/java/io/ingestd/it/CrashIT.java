package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** kill -9 under load, several times: every TRUE survives, exactly once, and every row reaches 'Y'. */
class CrashIT {
    static final int KILLS = Integer.getInteger("ingestd.crash.kills", 3);

    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void everyAcknowledgedRecordSurvivesKillMinus9ExactlyOnceAndIsProcessed() throws Exception {
        // the two-step path (as with a FeeProcessor): a kill between the commit and the 'Y' leaves rows 'N' for the
        // sweep
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir)
                .set("process.sweep-interval", "1s")
                .set("process.inline", "false");
        ingestd.startOk();
        try (var load = new Load(1, 64, 5, ingestd.endpoint())) {
            for (int k = 0; k < KILLS; k++) {
                long before = load.trues.get();
                await().atMost(Duration.ofSeconds(30)).until(() -> load.trues.get() > before + 200);
                int pid = ingestd.pid();
                new ProcessBuilder("kill", "-9", String.valueOf(pid)).start().waitFor();
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> ProcessHandle.of(pid).isEmpty());
                assertThat(ingestd.start().exitCode()).isZero();
            }
            assertThat(load.finish(Duration.ofSeconds(60))).as(load.summary()).isTrue();
            long stored = EndToEndIT.count(ingestd.dbUrl, "1=1");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> EndToEndIT.count(ingestd.dbUrl, "status = 'Y'") == stored);
            long processed = EndToEndIT.count(ingestd.dbUrl, "status = 'Y' AND processed_at IS NOT NULL");
            System.out.printf(
                    "crash: %d kills; %s; stored %d, processed %d, duplicates 0 (primary key)%n",
                    KILLS, load.summary(), stored, processed);
            assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsAll(load.acknowledged);
            assertThat(stored)
                    .as("every generated ticket stored once, nothing else")
                    .isEqualTo(load.generated() - 1);
            assertThat(load.acknowledged).hasSize((int) stored);
            assertThat(processed).isEqualTo(stored);
        }
    }
}
