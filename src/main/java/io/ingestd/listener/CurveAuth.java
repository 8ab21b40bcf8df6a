package io.ingestd.listener;

import io.ingestd.config.Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.zeromq.ZAuth;
import org.zeromq.ZConfig;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;

/**
 * CURVE on the listener: the server's key pair from its certificate file, and a ZAP handler (JeroMQ's ZAuth)
 * that admits only client public keys found in {@code curve.clients.dir} and, if set, only the IPs of
 * {@code security.allow-ips}. The key directory is re-read whenever its files change, so keys added or removed
 * take effect without a restart. Refused handshakes are logged, at most a few lines a second.
 */
public final class CurveAuth implements Listener.SocketSetup, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CurveAuth.class);
    private static final long LOG_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    private final ZAuth auth;
    private final String publicKey;
    private final String secretKey;
    private volatile boolean running = true;
    private long lastLog;
    private long suppressed;

    /** Starts the ZAP handler; must happen before the listener binds. */
    public CurveAuth(ZContext context, Config config) throws IOException {
        Path server = config.security().curveServerKey().orElseThrow();
        var cert = ZConfig.load(server.toString());
        publicKey = cert.getValue("curve/public-key");
        secretKey = cert.getValue("curve/secret-key");
        if (publicKey == null || secretKey == null) {
            throw new IOException(server + " holds no curve/public-key and secret-key (key: curve.server.key; "
                    + "make one with: ingestd keygen NAME, and use NAME.key_secret)");
        }
        if (config.security().curveClientsDir().isPresent() && !Files.isDirectory(config.security().curveClientsDir().get())) {
            throw new IOException("curve.clients.dir " + config.security().curveClientsDir().get() + " is not a directory");
        }
        auth = new ZAuth(context);
        auth.replies(true);
        for (String ip : config.security().allowIps()) auth.allow(ip);
        auth.configureCurve(config.security().curveClientsDir().map(Path::toString).orElse(ZAuth.CURVE_ALLOW_ANY));
        Thread.ofPlatform().daemon().name("zap-log").start(this::logReplies);
    }

    @Override
    public void apply(ZMQ.Socket socket) {
        socket.setZAPDomain("ingestd");
        socket.setCurveServer(true);
        socket.setCurvePublicKey(publicKey.getBytes(ZMQ.CHARSET));
        socket.setCurveSecretKey(secretKey.getBytes(ZMQ.CHARSET));
    }

    private void logReplies() {
        while (running) {
            ZAuth.ZapReply reply;
            try {
                reply = auth.nextReply(500);
            } catch (RuntimeException e) {
                return; // the context is closing
            }
            if (reply == null || reply.statusCode == 200) continue;
            long now = System.nanoTime();
            if (now - lastLog < LOG_EVERY_NANOS) {
                suppressed++;
                continue;
            }
            log.warn("refused a connection from {}: {} (ZAP {}){}", reply.address, reply.statusText, reply.statusCode,
                    suppressed > 0 ? " (and " + suppressed + " more refused since the last line)" : "");
            lastLog = now;
            suppressed = 0;
        }
    }

    @Override
    public void close() {
        running = false;
        auth.close();
    }
}
