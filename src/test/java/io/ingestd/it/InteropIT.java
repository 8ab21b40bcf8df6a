package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A real libzmq client (pyzmq), REQ as in the seed and a pipelining DEALER, gets TRUE. */
class InteropIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    static final String CLIENT = """
            import sys, zmq
            ctx = zmq.Context()
            ep = sys.argv[1]
            req = ctx.socket(zmq.REQ); req.RCVTIMEO = 20000; req.connect(ep)
            req.send(b"101,5001,12.5"); print("REQ", req.recv().decode())
            d = ctx.socket(zmq.DEALER); d.RCVTIMEO = 20000; d.connect(ep)
            for i in range(10):
                d.send_multipart([b"id%d" % i, b"", b"%d,5002,1.25\\n%d,5002,2" % (200 + 2 * i, 201 + 2 * i)])
            got = sorted(d.recv_multipart() for _ in range(10))
            print("DEALER", " ".join(f[0].decode() + "=" + f[2].decode() for f in got))
            """;

    @Test
    void aLibzmqReqAndDealerClientGetTrue() throws Exception {
        ingestd = Ingestd.on(TestDatabases.MARIADB, dir);
        ingestd.startOk();
        var pb = new ProcessBuilder("/usr/bin/python3", "-c", CLIENT, ingestd.endpoint()).redirectErrorStream(true);
        var p = pb.start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(out).contains("REQ TRUE");
        assertThat(out)
                .contains(
                        "DEALER id0=TRUE id1=TRUE id2=TRUE id3=TRUE id4=TRUE id5=TRUE id6=TRUE id7=TRUE id8=TRUE id9=TRUE");
        assertThat(EndToEndIT.count(ingestd.dbUrl, "1=1")).isEqualTo(21);
    }
}
