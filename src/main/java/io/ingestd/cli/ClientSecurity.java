package io.ingestd.cli;

import io.ingestd.client.Sender;
import io.ingestd.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.zeromq.ZConfig;
import org.zeromq.ZMQ;

/**
 * Client-side socket security for {@code send} and {@code bench}: CURVE with this client's key pair
 * ({@code curve.client.key}) and the server's public key ({@code curve.server.public}), or plaintext.
 */
final class ClientSecurity {
    private ClientSecurity() {}

    static Sender.Security from(Config config) {
        if (config.security().curveClientKey().isEmpty() && config.security().curveServerPublic().isEmpty()) return Sender.Security.NONE;
        if (config.security().curveClientKey().isEmpty() || config.security().curveServerPublic().isEmpty()) {
            throw new IllegalArgumentException("CURVE needs both curve.client.key (this client's NAME.key_secret) and "
                    + "curve.server.public (the server's NAME.key)");
        }
        try {
            var client = ZConfig.load(config.security().curveClientKey().get().toString());
            var server = ZConfig.load(config.security().curveServerPublic().get().toString());
            String pub = client.getValue("curve/public-key"), sec = client.getValue("curve/secret-key");
            String serverPub = server.getValue("curve/public-key");
            if (pub == null || sec == null) throw new IllegalArgumentException("curve.client.key: no key pair in " + config.security().curveClientKey().get());
            if (serverPub == null) throw new IllegalArgumentException("curve.server.public: no public key in " + config.security().curveServerPublic().get());
            return socket -> {
                socket.setCurvePublicKey(pub.getBytes(ZMQ.CHARSET));
                socket.setCurveSecretKey(sec.getBytes(ZMQ.CHARSET));
                socket.setCurveServerKey(serverPub.getBytes(ZMQ.CHARSET));
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read a CURVE certificate: " + e.getMessage(), e);
        }
    }
}
