package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ingestd.ExitCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZConfig;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** CURVE with a client key allow-list, safe defaults, limits and secrets, against the real daemon. */
class SecurityIT {
    @TempDir
    Path dir;

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
        var p = new ProcessBuilder("/usr/bin/python3", "-c", script, body)
                .redirectErrorStream(true)
                .start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void onlyAllowedClientKeysGetIn() throws Exception {
        Path keys = Files.createDirectories(dir.resolve("keys"));
        Path clients = Files.createDirectories(dir.resolve("clients"));
        assertThat(Ingestd.run(Map.of(), "keygen", "server", "--dir", keys.toString())
                        .exitCode())
                .isZero();
        var alice = Ingestd.run(Map.of(), "keygen", "alice", "--dir", keys.toString());
        assertThat(alice.out().strip()).hasSize(40);
        Ingestd.run(Map.of(), "keygen", "mallory", "--dir", keys.toString());
        assertThat(Files.getPosixFilePermissions(keys.resolve("alice.key_secret")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        Files.copy(keys.resolve("alice.key"), clients.resolve("alice.key"));

        ingestd = Ingestd.on(TestDatabases.MARIADB, dir)
                .set("curve.server.key", keys.resolve("server.key_secret").toString())
                .set("curve.clients.dir", clients.toString());
        ingestd.startOk();
        // pyzmq (real libzmq) reads our certificate files and speaks CURVE with the allowed key
        assertThat(python(
                        pyClient(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("alice.key_secret")),
                        "1,1,1"))
                .isEqualTo("TRUE");
        assertThat(python(
                        pyClient(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("mallory.key_secret")),
                        "2,1,1"))
                .isEqualTo("NO REPLY");
        assertThat(python(pyClient(ingestd.endpoint(), keys.resolve("server.key"), null), "3,1,1"))
                .isEqualTo("NO REPLY");
        // our own client, with the keys from the configuration
        var send = ingestd.cli(
                "send",
                "-",
                "--set",
                "curve.client.key=" + keys.resolve("alice.key_secret"),
                "--set",
                "curve.server.public=" + keys.resolve("server.key"));
        assertThat(send.exitCode()).as(send.toString()).isZero(); // stdin is /dev/null: nothing to send, nothing lost
        // a refused key: send says the key may be the reason, not only "is ingestd running?"
        Path one = Files.writeString(dir.resolve("one.csv"), "9,1,1\n");
        var refused = ingestd.cli(
                "send",
                one.toString(),
                "--quiet",
                "--reply-timeout",
                "3",
                "--attempts",
                "1",
                "--set",
                "curve.client.key=" + keys.resolve("mallory.key_secret"),
                "--set",
                "curve.server.public=" + keys.resolve("server.key"));
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("refuses this client's key", "curve.clients.dir");

        // a key removed from the directory stops working without a restart
        Files.delete(clients.resolve("alice.key"));
        assertThat(ingestd.cli("reload").out()).startsWith("reload applied");
        await().atMost(Duration.ofSeconds(10)).until(() -> python(
                        pyClient(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("alice.key_secret")),
                        "4,1,1")
                .equals("NO REPLY"));
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsExactly(1L);
        assertThat(Files.readString(ingestd.log())).contains("refused a connection");
    }

    @Test
    void aNonLoopbackListenAddressWithoutCurveIsRefused() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("listen", "tcp://0.0.0.0:" + Ingestd.freePort());
        var r = ingestd.start();
        assertThat(r.exitCode()).isEqualTo(ExitCode.NOT_CONFIGURED.code());
        assertThat(r.err())
                .contains("is not a loopback address and CURVE is off", "curve.server.key", "security.allow-plaintext");
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
        assertThat(ingestd.status().all() + ingestd.cli("status", "--json").all())
                .doesNotContain(secret);
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
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("message.max-bytes", "1000")
                .set("message.max-records", "5")
                .set("message.max-pending-per-peer", "10");
        ingestd.startOk();
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,1,1\n".repeat(200))).isEqualTo("FALSE message too large: 1200 bytes (max 1000)");
            // far over twice the limit: still an answer, counted, logged and in rejects.log (it once vanished)
            assertThat(req.request("1,1,1\n".repeat(12_000)))
                    .isEqualTo("FALSE message too large: 72000 bytes (max 1000)");
            assertThat(req.request("1,1,1\n2,1,1\n3,1,1\n4,1,1\n5,1,1\n6,1,1"))
                    .isEqualTo("FALSE too many records: 6 (max 5)");
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
            assertThat(pending)
                    .as("a flooding peer is refused beyond its limit")
                    .isPositive();
        }
        assertThat(ingestd.cli("status", "--json").out()).contains("\"too_large\":2");
        assertThat(Files.readString(ingestd.rejectLog())).contains("72000 bytes");
        assertThat(Files.readString(ingestd.log())).contains("refused a message from conn-", "message too large");
        // send refuses a line the daemon would refuse for its size itself, names it, and carries on
        Path input = dir.resolve("input.csv");
        Files.writeString(input, "7001,1,1\n" + "7002,1," + "1".repeat(1200) + "\n7003,1,1\n");
        var send = ingestd.cli("send", input.toString(), "--quiet");
        assertThat(send.exitCode()).as(send.toString()).isEqualTo(1);
        assertThat(send.out())
                .contains(
                        "acknowledged:     2",
                        "rejected:         1",
                        "line 2: line too long: 1207 bytes (message.max-bytes is 1000); not sent");
    }

    /** A REQ socket with this client's CURVE keys; null keys: plaintext. A refused handshake: null replies. */
    static final class CurveReq implements AutoCloseable {
        final ZContext ctx = new ZContext(1);
        final ZMQ.Socket socket = ctx.createSocket(SocketType.REQ);

        CurveReq(String endpoint, Path serverPublic, Path clientSecret, int timeoutMillis) throws Exception {
            socket.setLinger(0);
            socket.setReceiveTimeOut(timeoutMillis);
            socket.setHandshakeIvl(io.ingestd.client.Sender.HANDSHAKE_MILLIS);
            if (clientSecret != null) {
                socket.setCurvePublicKey(z85(clientSecret, "public-key").getBytes(ZMQ.CHARSET));
                socket.setCurveSecretKey(z85(clientSecret, "secret-key").getBytes(ZMQ.CHARSET));
                socket.setCurveServerKey(z85(serverPublic, "public-key").getBytes(ZMQ.CHARSET));
            }
            socket.connect(endpoint);
        }

        String request(String body) {
            socket.send(body);
            String r = socket.recvStr();
            return r == null ? "NO REPLY" : r;
        }

        @Override
        public void close() {
            ctx.close();
        }
    }

    Path keys, clients;

    void keys(String... names) throws Exception {
        keys = Files.createDirectories(dir.resolve("keys"));
        clients = Files.createDirectories(dir.resolve("clients"));
        for (String n : names)
            assertThat(Ingestd.run(Map.of(), "keygen", n, "--dir", keys.toString())
                            .exitCode())
                    .isZero();
    }

    @Test
    void curveWithoutAClientKeyDirectoryIsRefusedUnlessEncryptionWithoutAuthenticationIsAskedFor() throws Exception {
        keys("server", "anyone");
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("curve.server.key", keys.resolve("server.key_secret").toString());
        var refused = ingestd.start();
        assertThat(refused.exitCode()).as(refused.toString()).isEqualTo(6);
        assertThat(refused.err().lines())
                .singleElement()
                .asString()
                .startsWith("ingestd: curve.clients.dir: not set")
                .contains("curve.server.key", "curve.allow-any-client=true");
        ingestd.set("curve.allow-any-client", "true").startOk();
        try (var req = new CurveReq(
                ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("anyone.key_secret"), 10_000)) {
            assertThat(req.request("1,1,1")).isEqualTo("TRUE");
        }
        assertThat(Files.readString(ingestd.log())).contains("WARN", "any client key pair may connect and write");
    }

    @Test
    void aRevokedKeyGetsFalseOnItsOpenConnectionFromTheReloadOn() throws Exception {
        keys("server", "alice", "bob");
        Files.copy(keys.resolve("alice.key"), clients.resolve("alice.key"));
        Files.copy(keys.resolve("bob.key"), clients.resolve("bob.key"));
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("curve.server.key", keys.resolve("server.key_secret").toString())
                .set("curve.clients.dir", clients.toString());
        ingestd.startOk();
        try (var alice = new CurveReq(
                        ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("alice.key_secret"), 30_000);
                var bob = new CurveReq(
                        ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("bob.key_secret"), 30_000)) {
            assertThat(alice.request("1,1,1"))
                    .as(() -> Ingestd.logTail(ingestd.endpoint()))
                    .isEqualTo("TRUE");
            assertThat(bob.request("2,1,1")).isEqualTo("TRUE");
            Files.delete(clients.resolve("alice.key"));
            assertThat(ingestd.cli("reload").out()).startsWith("reload applied");
            // the same connection, opened before the reload
            assertThat(alice.request("3,1,1"))
                    .startsWith("FALSE client key ")
                    .contains("removed from curve.clients.dir");
            assertThat(bob.request("4,1,1")).isEqualTo("TRUE");
        }
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsExactly(1L, 2L, 4L);
        assertThat(ingestd.cli("status", "--json").out()).contains("\"key_revoked\":1");
    }

    @Test
    void theAllowListFollowsAReloadedDirectoryAndARefusedReloadStillRevokes() throws Exception {
        keys("server", "alice", "bob");
        Path other = Files.createDirectories(dir.resolve("clients-b"));
        Files.copy(keys.resolve("alice.key"), clients.resolve("alice.key"));
        Files.copy(keys.resolve("bob.key"), other.resolve("bob.key"));
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("curve.server.key", keys.resolve("server.key_secret").toString())
                .set("curve.clients.dir", clients.toString());
        ingestd.startOk();
        try (var alice = new CurveReq(
                ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("alice.key_secret"), 30_000)) {
            assertThat(alice.request("11,1,1")).isEqualTo("TRUE");
            var reload = ingestd.cli("reload", "--set", "curve.clients.dir=" + other);
            assertThat(reload.out()).as(reload.toString()).startsWith("reload applied");
            assertThat(alice.request("12,1,1")).startsWith("FALSE client key ");
        }
        try (var bob =
                new CurveReq(ingestd.endpoint(), keys.resolve("server.key"), keys.resolve("bob.key_secret"), 30_000)) {
            assertThat(bob.request("13,1,1")).isEqualTo("TRUE");
            Files.delete(other.resolve("bob.key"));
            // a reload the daemon refuses (the new directory is no directory) still applies the removal
            var refused = ingestd.cli("reload", "--set", "curve.clients.dir=" + dir.resolve("no-such-dir"));
            assertThat(refused.all()).as(refused.toString()).contains("refused", "not a directory");
            assertThat(bob.request("14,1,1")).startsWith("FALSE client key ");
        }
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsExactly(11L, 13L);
    }

    @Test
    void allowIpsTakesCidrBlocksWithoutCurve() throws Exception {
        ingestd = Ingestd.on(TestDatabases.H2, dir).set("security.allow-ips", "not-an-ip");
        var invalid = ingestd.start();
        assertThat(invalid.exitCode()).isEqualTo(6);
        assertThat(invalid.err()).contains("security.allow-ips: 'not-an-ip' is not an IP address or CIDR block");
        ingestd.set("security.allow-ips", "127.0.0.0/8").startOk();
        try (var req = new CurveReq(ingestd.endpoint(), null, null, 10_000)) {
            assertThat(req.request("1,1,1")).isEqualTo("TRUE");
        }
        ingestd.stop();
        ingestd.set("security.allow-ips", "10.0.0.0/8, fd00::/8").startOk();
        try (var req = new CurveReq(ingestd.endpoint(), null, null, 3_000)) {
            assertThat(req.request("2,1,1")).isEqualTo("NO REPLY");
        }
        assertThat(Files.readString(ingestd.log()))
                .contains("refused a connection: address 127.0.0.1 is not in security.allow-ips");
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "1=1")).containsExactly(1L);
    }

    static String z85(Path cert, String key) throws Exception {
        return ZConfig.load(cert.toString()).getValue("curve/" + key);
    }
}
