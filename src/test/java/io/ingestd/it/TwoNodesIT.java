package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

/** Two nodes on one database, one killed mid-stream: every record stored once and processed once. */
class TwoNodesIT {
    @TempDir
    Path dir;

    Ingestd a, b;

    @AfterEach
    void stop() {
        if (a != null) a.cleanUp();
        if (b != null) b.cleanUp();
    }

    @Test
    void killingOneOfTwoNodesLosesAndDuplicatesNothing() throws Exception {
        String db = TestDatabases.MARIADB.create(dir);
        try (var c = java.sql.DriverManager.getConnection(db);
                var st = c.createStatement()) {
            st.execute("CREATE TABLE fee_journal (ticket BIGINT NOT NULL, amount DECIMAL(30,4) NOT NULL)");
        }
        // a real processing step, journaling every record it processes: shows each is processed exactly once
        a = new Ingestd(dir.resolve("a"), db)
                .set("process.sweep-interval", "1s")
                .withJournalingProcessor();
        b = new Ingestd(dir.resolve("b"), db)
                .set("process.sweep-interval", "1s")
                .withJournalingProcessor();
        a.startOk();
        b.startOk();
        try (var load = new Load(1, 64, 5, a.endpoint(), b.endpoint())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.trues.get() > 500);
            new ProcessBuilder("kill", "-9", String.valueOf(a.pid())).start().waitFor();
            long after = load.trues.get();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.trues.get() > after + 500);
            assertThat(load.finish(Duration.ofSeconds(60))).as(load.summary()).isTrue();
            long stored = EndToEndIT.count(db, "1=1");
            await().atMost(Duration.ofSeconds(30)).until(() -> EndToEndIT.count(db, "status = 'Y'") == stored);
            System.out.printf(
                    "two nodes: %s; stored %d, processed %d%n",
                    load.summary(), stored, EndToEndIT.count(db, "status = 'Y' AND processed_at IS NOT NULL"));
            assertThat(EndToEndIT.tickets(db, "1=1")).containsAll(load.acknowledged);
            assertThat(stored).isEqualTo(load.generated() - 1);
            assertThat(EndToEndIT.count(db, "processed_at IS NULL")).isZero();
            try (var c = TestDatabases.connect(db);
                    var st = c.createStatement();
                    var rs = st.executeQuery("SELECT COUNT(*), COUNT(DISTINCT ticket) FROM fee_journal")) {
                rs.next();
                System.out.printf(
                        "two nodes: journal %d entries for %d distinct tickets%n", rs.getLong(1), rs.getLong(2));
                assertThat(rs.getLong(2)).as("every stored record processed").isEqualTo(stored);
                assertThat(rs.getLong(1)).as("each processed exactly once").isEqualTo(stored);
            }
        }
    }
}
