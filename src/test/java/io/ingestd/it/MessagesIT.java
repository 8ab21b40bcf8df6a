package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ingestd.cli.IngestdCommand;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every command with a wrong value for each of its options: the answer is one line (one per problem) that starts
 * with "ingestd:", names the option or key, shows no Java class name, and comes with the documented exit code.
 * In-process through the picocli entry point where the message is made in-process (a JVM per case would cost
 * half a second each); the real bin/ingestd for a few, to see what the launcher adds.
 */
class MessagesIT {
    private static final Pattern JAVA_NAMES = Pattern.compile("\\b(java\\.|[A-Z][A-Za-z]+(Exception|Error)\\b)");

    @SuppressWarnings("ArrayRecordComponent") // a parameterized case, shown by toString, never compared
    record Case(int exit, String names, String... args) {
        @Override
        public String toString() {
            return String.join(" ", args);
        }
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                        // the configuration, as start, run and check-config see it
                        new Case(6, "listen: 'inproc://x'", "start", "--set", "listen=inproc://x"),
                        new Case(6, "listen: 'tcp://127.0.0.1:0'", "start", "--set", "listen=tcp://127.0.0.1:0"),
                        new Case(6, "listen: 'tcp://127.0.0.1:'", "run", "--set", "listen=tcp://127.0.0.1:"),
                        new Case(
                                6,
                                "metrics.listen: '127.0.0.1:99999'",
                                "start",
                                "--set",
                                "metrics.listen=127.0.0.1:99999"),
                        new Case(6, "metrics.listen", "check-config", "--set", "metrics.listen=nowhere"),
                        new Case(6, "db.url: 'jdbc:mysql:", "start", "--set", "db.url=jdbc:mysql://127.0.0.1/test"),
                        new Case(
                                6, "db.url: 'jdbc:h2:mem:x' is an in-memory", "start", "--set", "db.url=jdbc:h2:mem:x"),
                        new Case(6, "db.url: unsupported", "start", "--set", "db.url=jdbc:oracle:thin:@x"),
                        new Case(6, "db.table", "start", "--set", "db.table=fee;drop"),
                        new Case(
                                6,
                                "db.password.file: cannot read /nonexistent/pw: no such file",
                                "start",
                                "--set",
                                "db.password.file=/nonexistent/pw"),
                        new Case(
                                6, "security.allow-ips: 'not-an-ip'", "start", "--set", "security.allow-ips=not-an-ip"),
                        new Case(6, "batch.max: 'x'", "start", "--set", "batch.max=x"),
                        new Case(6, "queue.max: '0'", "run", "--set", "queue.max=0"),
                        new Case(6, "umask: '999'", "start", "--set", "umask=999"),
                        new Case(6, "log.level: 'loud'", "start", "--set", "log.level=loud"),
                        new Case(6, "db.retry-window: '5'", "start", "--set", "db.retry-window=5"),
                        new Case(6, "process.inline: 'yes'", "start", "--set", "process.inline=yes"),
                        new Case(6, "curve.clients.dir: not set", "start", "--set", "curve.server.key=/etc/hostname"),
                        new Case(6, "unknown key 'bogus' (see: ingestd config-keys)", "start", "--set", "bogus=1"),
                        new Case(6, "--set noequals: expected key=value", "start", "--set", "noequals"),
                        new Case(
                                6,
                                "cannot read config file /nonexistent.properties: no such file or directory (check --config)",
                                "start",
                                "--config",
                                "/nonexistent.properties"),
                        new Case(6, "cannot read config file", "restart", "--config", "/nonexistent.properties"),
                        // options of the lifecycle commands
                        new Case(2, "'--wait'", "start", "--wait", "x"),
                        new Case(2, "'--timeout'", "stop", "--timeout", "soon"),
                        new Case(2, "--timeout 0: must be at least 1 second", "stop", "--timeout", "0"),
                        new Case(2, "--timeout -1: must be at least 1 second", "restart", "--timeout", "-1"),
                        new Case(2, "'--timeout'", "restart", "--timeout", ""),
                        new Case(2, "--jsn", "status", "--jsn"),
                        new Case(4, "--config", "status", "--config", "/nonexistent.properties"),
                        new Case(6, "--config", "stop", "--config", "/nonexistent.properties"),
                        new Case(6, "data.dir: must not be empty", "stop", "--set", "data.dir="),
                        new Case(7, "not running", "reload", "--set", "data.dir=/nonexistent-ingestd"),
                        new Case(6, "unknown key 'bogus'", "reload", "--set", "bogus=1"),
                        // send
                        new Case(2, "--endpoint 'bogus://x'", "send", "--endpoint", "bogus://x"),
                        new Case(
                                2,
                                "--endpoint 'tcp://127.0.0.1:': the port is missing",
                                "send",
                                "--endpoint",
                                "tcp://127.0.0.1:"),
                        new Case(
                                2, "--endpoint 'tcp://127.0.0.1:99999'", "send", "--endpoint", "tcp://127.0.0.1:99999"),
                        new Case(2, "--batch", "send", "--batch", "0"),
                        new Case(2, "'--window'", "send", "--window", "x"),
                        new Case(2, "--attempts", "send", "--attempts", "0"),
                        new Case(2, "--reply-timeout", "send", "--reply-timeout", "0"),
                        new Case(2, "FILE /nonexistent.csv: no such file", "send", "/nonexistent.csv"),
                        new Case(6, "curve.client.key", "send", "--set", "curve.client.key=/nonexistent"),
                        new Case(
                                6,
                                "curve.client.key: cannot read /nonexistent: no such file",
                                "send",
                                "--set",
                                "curve.client.key=/nonexistent",
                                "--set",
                                "curve.server.public=/nonexistent"),
                        // replay
                        new Case(2, "REJECTS_FILE", "replay"),
                        new Case(2, "REJECTS_FILE /nonexistent.log: no such file", "replay", "/nonexistent.log"),
                        new Case(
                                2,
                                "replay --stream 'orders': no such stream (the only stream is fee)",
                                "replay",
                                "-",
                                "--stream",
                                "orders"),
                        new Case(2, "--endpoint 'bogus'", "replay", "-", "--endpoint", "bogus"),
                        // bench
                        new Case(2, "--ticket-base", "bench"),
                        new Case(2, "'--ticket-base'", "bench", "--ticket-base", "x"),
                        new Case(2, "-n", "bench", "--ticket-base", "1", "-n", "0"),
                        new Case(2, "'--connections'", "bench", "--ticket-base", "1", "-C", "many"),
                        new Case(2, "--endpoint 'bogus'", "bench", "--ticket-base", "1", "--endpoint", "bogus"),
                        new Case(2, "--table", "bench", "--ticket-base", "1", "--table", "fee;drop"),
                        new Case(2, "--verify-url", "bench", "--ticket-base", "1", "--seed-reference"),
                        new Case(2, "--rate", "bench", "--ticket-base", "1", "--rate", "-5"),
                        // keygen, config-keys, the command itself
                        new Case(2, "key name 'a b'", "keygen", "a b"),
                        new Case(2, "NAME", "keygen"),
                        new Case(1, "keygen --dir /proc/ingestd-nope", "keygen", "x", "--dir", "/proc/ingestd-nope"),
                        new Case(2, "'extra'", "config-keys", "extra"),
                        new Case(2, "'stat'", "stat"),
                        new Case(2, "'ingestd'", "help", "ingestd"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("wrongValues")
    void aWrongValueGetsOneLineNamingItAndTheDocumentedExitCode(Case c) {
        var out = new StringWriter();
        var err = new StringWriter();
        int code = IngestdCommand.execute(c.args(), new PrintWriter(out, true), new PrintWriter(err, true));
        assertAnswer(c, code, err.toString());
    }

    @ParameterizedTest(name = "bin/ingestd {0}")
    @MethodSource("throughTheLauncher")
    void theRealCommandAnswersTheSame(Case c) {
        var r = Ingestd.run(Map.of(), c.args());
        assertAnswer(c, r.exitCode(), r.err());
    }

    static Stream<Arguments> throughTheLauncher() {
        return Stream.of(
                        new Case(2, "--endpoint 'bogus://x'", "send", "--endpoint", "bogus://x"),
                        new Case(
                                6,
                                "metrics.listen: '127.0.0.1:99999'",
                                "start",
                                "--set",
                                "metrics.listen=127.0.0.1:99999"),
                        new Case(2, "--ticket-base", "bench", "-n", "10"),
                        new Case(2, "--stream 'orders'", "replay", "-", "--stream", "orders"),
                        new Case(2, "see: ingestd start --help", "start", "--wait", "x"))
                .map(Arguments::of);
    }

    @org.junit.jupiter.api.Test
    void versionComesFromTheBuild() {
        var r = Ingestd.run(Map.of(), "--version");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).matches("(?s)ingestd \\d+\\.\\d+\\.\\d+\\S* \\(Java .*");
    }

    private static void assertAnswer(Case c, int code, String err) {
        List<String> lines = err.lines().toList();
        assertThat(lines).as("stderr of %s", c).isNotEmpty();
        assertThat(lines).as("stderr of %s", c).allSatisfy(l -> assertThat(l).startsWith("ingestd"));
        assertThat(lines.size())
                .as("stderr of %s: one line (check-config adds its summary)", c)
                .isLessThanOrEqualTo(2);
        assertThat(lines.getFirst()).as("stderr of %s", c).contains(c.names());
        assertThat(err).as("stderr of %s", c).doesNotContainPattern(JAVA_NAMES).doesNotContain(": null");
        assertThat(code).as("exit code of %s; stderr: %s", c, err).isEqualTo(c.exit());
    }
}
