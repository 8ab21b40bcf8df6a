package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Ten thousand generated hostile messages, with valid records interleaved: each gets its own clear FALSE and a
 * reject line, the daemon stays up, and every valid record next to them is stored.
 */
class HostileInputIT {
    static final int MESSAGES = Integer.getInteger("ingestd.hostile.messages", 10_000);

    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    /** A generated request: its frames after the tag (normally [empty][body]) and what it must get back. */
    record Case(String kind, List<byte[]> frames, String expect) {}

    static Arbitrary<Case> hostile() {
        var digits = Arbitraries.strings().numeric().ofMinLength(20).ofMaxLength(40);
        return Arbitraries.oneOf(
                Arbitraries.of("", " ", "\n", "\t \r\n").map(s -> body("empty", s, "FALSE empty")),
                Arbitraries.bytes()
                        .array(byte[].class)
                        .ofMinSize(1)
                        .ofMaxSize(200)
                        .map(b -> body("binary", b, "ANY")),
                Arbitraries.of(
                                new byte[] {'1', ',', '2', ',', (byte) 0xc3, (byte) 0x28},
                                new byte[] {(byte) 0xff, (byte) 0xfe})
                        .map(b -> body("invalid-utf8", b, "FALSE message is not valid UTF-8")),
                Arbitraries.strings()
                        .withChars("0123456789,")
                        .ofMaxLength(30)
                        .filter(s -> s.chars().filter(c -> c == ',').count() != 2)
                        .map(s -> body("field-count", s, "FALSE")),
                digits.map(d -> body("huge", "1" + d + ",1,1", "FALSE field ticket")),
                Arbitraries.longs()
                        .between(1, Long.MAX_VALUE)
                        .map(n -> body("negative", "5,-" + n + ",1", "FALSE field login: negative")),
                Arbitraries.integers()
                        .between(5, 12)
                        .map(n -> body("decimals", "5,1,1." + "1".repeat(n), "FALSE field volume")),
                Arbitraries.of(
                                "1,1,1'); DROP TABLE fee; --",
                                "1,1,1 OR 1=1",
                                "'; DELETE FROM fee; --,1,1",
                                "1,1,(SELECT 1)")
                        .map(s -> body("sql", s, "FALSE")),
                Arbitraries.integers().between(2, 5).map(n -> {
                    var frames = new ArrayList<byte[]>();
                    frames.add(new byte[0]);
                    for (int i = 0; i < n; i++) frames.add("1,1,1".getBytes(StandardCharsets.UTF_8));
                    return new Case("many-frames", frames, "FALSE expected 1 body frame");
                }));
    }

    static Case body(String kind, String s, String expect) {
        return body(kind, s.getBytes(StandardCharsets.UTF_8), expect);
    }

    static Case body(String kind, byte[] b, String expect) {
        return new Case(kind, List.of(new byte[0], b), expect);
    }

    @Test
    void everyHostileMessageGetsItsOwnFalseAndNoValidRecordNearThemIsLost() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir).set("message.max-pending-per-peer", "100000");
        ingestd.startOk();
        var cases = new ArrayList<Case>();
        var generated = hostile().sampleStream().limit(MESSAGES).toList();
        long ticket = 1_000_000_000_000L;
        var validTickets = new ArrayList<Long>();
        for (int i = 0; i < generated.size(); i++) {
            cases.add(generated.get(i));
            if (i % 10 == 0) {
                validTickets.add(ticket);
                cases.add(body("valid", ticket++ + ",42,1.25", "TRUE"));
            }
        }
        for (int i = 0; i < 3; i++) {
            byte[] big = new byte[(1 << 20) + 1 + i];
            java.util.Arrays.fill(big, (byte) '1');
            cases.add(body("too-large", big, "FALSE message too large"));
        }
        var replies = new HashMap<Integer, String>();
        int noEnvelopeReplies = 0;
        try (var ctx = new ZContext(1)) {
            var dealer = ctx.createSocket(SocketType.DEALER);
            dealer.setLinger(0);
            dealer.setSndHWM(0);
            dealer.setRcvHWM(0);
            dealer.setReceiveTimeOut(30_000);
            dealer.setHandshakeIvl(io.ingestd.client.Sender.HANDSHAKE_MILLIS);
            dealer.connect(ingestd.endpoint());
            // a frame without the envelope, from a raw DEALER: answered FALSE straight to it
            var raw = ctx.createSocket(SocketType.DEALER);
            raw.setReceiveTimeOut(30_000);
            raw.setHandshakeIvl(io.ingestd.client.Sender.HANDSHAKE_MILLIS);
            raw.connect(ingestd.endpoint());
            raw.send("1,1,1");
            String rawReply = raw.recvStr();
            assertThat(rawReply).startsWith("FALSE missing envelope");
            noEnvelopeReplies++;
            // clients that vanish before the reply
            for (int i = 0; i < 20; i++) {
                var gone = ctx.createSocket(SocketType.REQ);
                gone.setLinger(0);
                gone.connect(ingestd.endpoint());
                gone.send((900_000 + i) + ",1,1");
                gone.close();
            }
            for (int i = 0; i < cases.size(); i++) {
                dealer.send(ByteBuffer.allocate(4).putInt(i).array(), ZMQ.SNDMORE);
                var frames = cases.get(i).frames();
                for (int f = 0; f < frames.size(); f++)
                    dealer.send(frames.get(f), f < frames.size() - 1 ? ZMQ.SNDMORE : 0);
                drain(dealer, replies, false);
            }
            while (replies.size() < cases.size()) {
                int before = replies.size();
                drain(dealer, replies, true);
                assertThat(replies.size()).as("replies keep coming").isGreaterThan(before);
            }
        }
        Map<String, Integer> byKind = new java.util.TreeMap<>();
        int falses = 0;
        for (int i = 0; i < cases.size(); i++) {
            var c = cases.get(i);
            String reply = replies.get(i);
            byKind.merge(c.kind(), 1, Integer::sum);
            assertThat(reply).as(c.kind() + " #" + i).isNotNull();
            if (!c.expect().equals("ANY"))
                assertThat(reply).as(c.kind() + " #" + i).startsWith(c.expect());
            if (reply.startsWith("FALSE")) falses++;
            else assertThat(reply).as(c.kind() + " #" + i).isIn("TRUE");
        }
        int finalFalses = falses + noEnvelopeReplies;
        // every FALSE has its line in rejects.log, or is counted as left out by the log's rate limit
        org.awaitility.Awaitility.await().untilAsserted(() -> assertThat(
                        Files.readAllLines(ingestd.rejectLog()).size()
                                + ingestd.metric("ingestd_rejects_log_suppressed_total"))
                .isGreaterThanOrEqualTo(finalFalses));
        assertThat(ingestd.status().exitCode()).as("still running").isZero();
        assertThat(EndToEndIT.tickets(ingestd.dbUrl, "ticket >= 1000000000000"))
                .containsExactlyInAnyOrderElementsOf(validTickets);
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("424242,1,1")).isEqualTo("TRUE");
        }
        System.out.printf(
                "hostile: %d messages %s; %d FALSE, %d valid records all stored; reject lines %d%n",
                cases.size(),
                byKind,
                finalFalses,
                validTickets.size(),
                Files.readAllLines(ingestd.rejectLog()).size());
    }

    private static void drain(ZMQ.Socket dealer, Map<Integer, String> replies, boolean wait) {
        while (true) {
            byte[] tag = dealer.recv(wait ? 0 : ZMQ.DONTWAIT);
            if (tag == null) return;
            dealer.recv(0);
            String reply = dealer.recvStr(0);
            replies.put(ByteBuffer.wrap(tag).getInt(), reply);
            wait = false;
        }
    }
}
