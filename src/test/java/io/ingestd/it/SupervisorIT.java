package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** A thread of the running daemon fails: it is logged with its stack, what it held is answered, the daemon stops. */
class SupervisorIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void aWriterThatFailsIsLoggedItsRequestsAnsweredRetryAndTheDaemonStops() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir);
        // the writers' test hook: a group holding ticket 666 makes the writer's thread throw an Error
        ingestd.env.put("INGESTD_JAVA_OPTS", "-Xms32m -Xmx256m -Dingestd.test.fail-writer-on-ticket=666");
        var run = CompletableFuture.supplyAsync(() -> ingestd.cli("run"));
        await().atMost(Ingestd.timeout()).until(() -> ingestd.status().exitCode() == 0);
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,1,1")).isEqualTo("TRUE");
            assertThat(req.request("666,1,1")).startsWith("RETRY").contains("internal error");
        }
        var result = run.get(Ingestd.timeout().toSeconds(), TimeUnit.SECONDS);
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(ExitCode.COMPONENT_FAILED.code());
        assertThat(ingestd.status().exitCode()).isEqualTo(ExitCode.STATUS_NOT_RUNNING.code());
        // in the foreground (run) the log goes to the terminal
        assertThat(result.all())
                .containsPattern(
                        "ERROR .*thread writer-\\d failed; answering what it held RETRY and stopping the daemon")
                .contains("java.lang.AssertionError: injected writer failure", "at io.ingestd.store.GroupCommitWriter")
                .containsPattern("stopped because a thread writer-\\d failed");
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsExactly(1L);
    }
}
