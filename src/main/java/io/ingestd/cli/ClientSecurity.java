package io.ingestd.cli;

import io.ingestd.client.Sender;
import io.ingestd.config.Config;

/** Client-side socket security for {@code send} and {@code bench}; plaintext until CURVE is configured. */
final class ClientSecurity {
    private ClientSecurity() {}

    static Sender.Security from(Config config) {
        return Sender.Security.NONE;
    }
}
