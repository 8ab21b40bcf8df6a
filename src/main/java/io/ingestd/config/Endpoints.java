package io.ingestd.config;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What makes a ZeroMQ endpoint usable for ingestd (for {@code listen}, and for {@code --endpoint} of send and bench)
 * and a {@code host:port} for {@code metrics.listen}: one rule set, so the daemon and its clients agree.
 */
public final class Endpoints {
    private static final Pattern TCP = Pattern.compile("tcp://(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9.*_-]+):(\\d*)");
    private static final Pattern HOST_PORT = Pattern.compile("(\\[[0-9a-fA-F:.]+]|[A-Za-z0-9._-]+):(\\d*)");

    private Endpoints() {}

    /** Why {@code ep} is not a ZeroMQ endpoint ingestd can use, or empty if it is. */
    public static Optional<String> problem(String ep) {
        if (ep.startsWith("ipc://")) {
            return ep.length() > "ipc://".length() ? Optional.empty() : Optional.of("ipc:// needs a path");
        }
        if (ep.startsWith("inproc://")) {
            return Optional.of(
                    "inproc:// is reachable only inside the daemon's own process; use tcp://HOST:PORT or ipc://PATH");
        }
        var m = TCP.matcher(ep);
        if (!m.matches())
            return Optional.of(
                    "not an endpoint like tcp://127.0.0.1:5555, tcp://[::1]:5555 or ipc:///run/ingestd.sock");
        return port(m.group(2));
    }

    /** Why {@code hp} is not a {@code host:port} (IPv6 in brackets), or empty if it is. */
    public static Optional<String> hostPortProblem(String hp) {
        var m = HOST_PORT.matcher(hp);
        if (!m.matches()) return Optional.of("not host:port like 127.0.0.1:9555 or [::1]:9555");
        return port(m.group(2));
    }

    private static Optional<String> port(String p) {
        if (p.isEmpty()) return Optional.of("the port is missing");
        if (p.length() > 5 || Integer.parseInt(p) < 1 || Integer.parseInt(p) > 65535) {
            return Optional.of("port " + p + " is not between 1 and 65535");
        }
        return Optional.empty();
    }

    /** Whether an endpoint takes IPv6 addresses (ZeroMQ needs the socket's IPv6 option for them). */
    public static boolean isIpv6(String ep) {
        return ep.contains("://[");
    }
}
