package io.ingestd.it;

import io.ingestd.ExitCode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZConfig;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/** CURVE with a client key allow-list, safe defaults, limits and secrets, against the real daemon. */
class SecurityIT {
    @TempDir Path dir;
    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    static String pyClient(String endpoint, Path serverPublic, Path clientSecret) {
        return """
                import sys, zmq, zmq.auth
                ctx = zmq.Context()
                s = ctx.socket(zmq.REQ); s.RCVTIMEO = 3000; s.LINGER = 0
                if "%3$s" != "none":
                    pub, sec = zmq.auth.load_certificate("%3$s")
                    spub, _ = zmq.auth.load_certificate("%2$s")
                    s.curve_publickey = pub; s.curve_secretkey = sec; s.curve_serverkey = spub
                s.connect("%1$s")
                s.send(sys.argv[1].encode())
                try: print(s.recv().decode())
                except zmq.Again: print("NO REPLY")
                """.formatted(endpoint, serverPublic, clientSecret == null ? "none" : clientSecret);
    }

    String python(String script, String body) throws Exception {
        var p = new ProcessBuilder("/usr/bin/python3", "-c", script, body).redirectErrorStream(true).start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes()).strip();
    }

    @Test
    void onlyAllowedClientKeysGetIn() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Path clients = Files.createDirectories(dir.resolve("clients"));
        assertThat(Ingestd.run(Map.of(), "keygen", "server", "--dir", keys.toString()).exitCode()).isZero();
        var alice = Ingestd.run(Map.of(), "keygen", "alice", "--dir", keys.toString());
        assertThat(alice.out().strip()).hasSize(40);
        Ingestd.run(Map.of(), "keygen", "mallory", "--dir", keys.toString());
        assertThat(Files.getPosixFilePermissions(keys.resolve("alice.key_secret"))).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Files.copy(keys.resolve("alice.key"), clients.resolve("alice.key"));

        ingestd = Ingestd.on(TestDatabases.MARIADB, dir).set("curve.server.key", keys.resolve("server.key_secret").toString())
                .set("curve.clients.dir", clients.toString());
        ingestd.startOk();
        // pyzmq (real libzmq) reads our certificate files and speaks CURVE with the allowed key
        assertThat(python(pyClient(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("alice.key_secret")), "1,1,1"))
                .isEqualTo("TRUE");
        assertThat(python(pyClient(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("mallory.key_secret")), "2,1,1"))
                .isEqualTo("NO REPLY");
        assertThat(python(pyClient(ingestd.endpoint(), keys.resolve("server.key"), null), "3,1,1")).isEqualTo("NO REPLY");
        // our own client, with the keys from the configuration
        var send = ingestd.cli("send", "-", "--set", "curve.client.key=" + keys.resolve("alice.key_secret"),
                "--set", "curve.server.public=" + keys.resolve("server.key"));
        assertThat(send.exitCode()).as(send.toString()).isZero(); // stdin is /dev/null: nothing to send, nothing lost

        // a key removed from the directory stops working without a restart
        Files.delete(clients.resolve("alice.key"));
        assertThat(ingestd.cli("reload").out()).startsWith("reload applied");
        await().atMost(Duration.ofSeconds(10)).until(() ->
                python(pyClient(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("alice.key_secret")), "4,1,1")
                        .equals("NO REPLY"));
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsExactly(1L);
        assertThat(Files.readString(ingestd.log())).contains("refused a connection");
    }

    @Test
    void aNonLoopbackListenAddressWithoutCurveIsRefused() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("listen", "tcp://0.0.0.0:" + Ingestd.freePort());
        var r = ingestd.start();
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        assertThat(r.err()).contains("is not a loopback address and CURVE is off", "curve.server.key", "security.allow-plaintext");
        ingestd.set("security.allow-plaintext", "true");
        ingestd.startOk();
        assertThat(Files.readString(ingestd.log())).contains("without encryption or client authentication");
    }

    @Test
    void theDatabasePasswordNeverShows() throws Exception {
        String secret = "pw-" + Long.toHexString(System.nanoTime());
        Path pw = dir.resolve("db.password");
        Files.writeString(pw, secret + "\n");
        Files.setPosixFilePermissions(pw, PosixFilePermissions.fromString("rw-------"));
        // H2 takes any password on a new database, and then requires it: the password is really used
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("db.user", "sa").set("db.password.file", pw.toString());
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            req.request("1,1,1");
            req.request("bad,1,1");
        }
        var proc = new Proc(ingestd.pid());
        assertThat(proc.cmdline()).doesNotContain(secret);
        assertThat(proc.environ()).doesNotContain(secret);
        assertThat(ingestd.status().all() + ingestd.cli("status", "--json").all()).doesNotContain(secret);
        assertThat(Files.readString(ingestd.log())).doesNotContain(secret);
        assertThat(Files.readString(ingestd.rejectLog())).doesNotContain(secret);
        ingestd.stop();
        // from the environment
        ingestd.settings.removeIf(s -> s.startsWith("db.password.file"));
        ingestd.env.put("INGESTD_DB_PASSWORD", secret);
        ingestd.startOk();
        var p2 = new Proc(ingestd.pid());
        assertThat(p2.cmdline() + p2.environ()).doesNotContain(secret);
        ingestd.env.remove("INGESTD_DB_PASSWORD");
        ingestd.stop();
        // a wrong password is an error that does not print the password either
        ingestd.env.put("INGESTD_DB_PASSWORD", "wrong-" + secret);
        var wrong = ingestd.start();
        assertThat(wrong.exitCode()).isEqualTo(ExitCode.DATABASE_FAILED.code());
        assertThat(wrong.all()).doesNotContain(secret);
    }

    @Test
    void oversizedOverCountAndFloodingRequestsGetFalse() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("message.max-bytes", "1000").set("message.max-records", "5")
                .set("message.max-pending-per-peer", "10");
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,1,1\n".repeat(200))).isEqualTo("FALSE message too large: 1200 bytes (max 1000)");
            assertThat(req.request("1,1,1\n2,1,1\n3,1,1\n4,1,1\n5,1,1\n6,1,1")).isEqualTo("FALSE too many records: 6 (max 5)");
        }
        try (var ctx = new ZContext(1)) {
            var dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setReceiveTimeOut(30_000);
            dealer.setHandshakeIvl(io.ingestd.client.Sender.HANDSHAKE_MILLIS);
            dealer.connect(ingestd.endpoint());
            for (int i = 0; i < 500; i++) {
                dealer.send(new byte[] {(byte) i}, ZMQ.SNDMORE);
                dealer.send(new byte[0], ZMQ.SNDMORE);
                dealer.send((1000 + i) + ",1,1");
            }
            int trues = 0, pending = 0;
            for (int i = 0; i < 500; i++) {
                dealer.recv();
                dealer.recv();
                String r = dealer.recvStr();
                if (r.equals("TRUE")) trues++;
                else if (r.startsWith("FALSE too many unanswered requests")) pending++;
            }
            assertThat(trues + pending).isEqualTo(500);
            assertThat(pending).as("a flooding peer is refused beyond its limit").isPositive();
        }
    }

    static String z85(Path cert, String key) throws Exception {
        return ZConfig.load(cert.toString()).getValue("curve/" + key);
    }
}
