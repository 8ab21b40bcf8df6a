package io.ingestd.cli;

import io.ingestd.client.Sender;
import io.ingestd.config.Config;
import io.ingestd.config.ConfigException;
import org.zeromq.ZConfig;
import org.zeromq.ZMQ;

import java.io.IOException;

/**
 * Client-side socket security for {@code send} and {@code bench}: CURVE with this client's key pair
 * ({@code curve.client.key}) and the server's public key ({@code curve.server.public}), or plaintext.
 */
final class ClientSecurity {
    private ClientSecurity() {}

    static Sender.Security from(Config config) throws ConfigException {
        if (config.security().curveClientKey().isEmpty()
                && config.security().curveServerPublic().isEmpty()) return Sender.Security.NONE;
        if (config.security().curveClientKey().isEmpty()
                || config.security().curveServerPublic().isEmpty()) {
            throw new ConfigException("CURVE needs both curve.client.key (this client's NAME.key_secret) and "
                    + "curve.server.public (the server's NAME.key)");
        }
        var client = load(config.security().curveClientKey().get(), "curve.client.key");
        var server = load(config.security().curveServerPublic().get(), "curve.server.public");
        {
            String pub = client.getValue("curve/public-key"), sec = client.getValue("curve/secret-key");
            String serverPub = server.getValue("curve/public-key");
            if (pub == null || sec == null)
                throw new ConfigException("curve.client.key: no key pair in "
                        + config.security().curveClientKey().get());
            if (serverPub == null)
                throw new ConfigException("curve.server.public: no public key in "
                        + config.security().curveServerPublic().get());
            return socket -> {
                socket.setCurvePublicKey(pub.getBytes(ZMQ.CHARSET));
                socket.setCurveSecretKey(sec.getBytes(ZMQ.CHARSET));
                socket.setCurveServerKey(serverPub.getBytes(ZMQ.CHARSET));
            };
        }
    }

    private static ZConfig load(java.nio.file.Path file, String key) throws ConfigException {
        try {
            return ZConfig.load(file.toString());
        } catch (IOException e) {
            throw new ConfigException(key + ": cannot read " + file + ": " + io.ingestd.config.IoReason.of(e));
        }
    }
}
