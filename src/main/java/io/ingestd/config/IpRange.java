package io.ingestd.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * One entry of {@code security.allow-ips}: an IPv4 or IPv6 address, or a CIDR block such as {@code 127.0.0.0/8}.
 * Literals only: a host name would make admission depend on DNS at connect time.
 */
@SuppressWarnings("ArrayRecordComponent") // matched by contains(); configurations compare the text
public record IpRange(byte[] network, int prefix, String text) {

    /** The range, or empty if {@code s} is neither an address nor a CIDR block. */
    public static Optional<IpRange> parse(String s) {
        String addr = s;
        int prefix = -1;
        int slash = s.indexOf('/');
        if (slash >= 0) {
            addr = s.substring(0, slash);
            String bits = s.substring(slash + 1);
            if (!bits.matches("\\d{1,3}")) return Optional.empty();
            prefix = Integer.parseInt(bits);
        }
        if (!addr.matches("[0-9a-fA-F.:]+")) return Optional.empty(); // no host names, no DNS
        byte[] bytes;
        try {
            bytes = InetAddress.ofLiteral(addr).getAddress();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int max = bytes.length * 8;
        if (prefix < 0) prefix = max;
        if (prefix > max) return Optional.empty();
        return Optional.of(new IpRange(bytes, prefix, s));
    }

    /** Whether an address (as ZeroMQ reports a peer: a literal, IPv4-mapped IPv6 included) lies in this range. */
    public boolean contains(String address) {
        byte[] a;
        try {
            a = InetAddress.ofLiteral(address.replaceAll("^/|[\\[\\]]|%.*$", ""))
                    .getAddress();
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (a.length != network.length) return false;
        int full = prefix / 8, rest = prefix % 8;
        for (int i = 0; i < full; i++) if (a[i] != network[i]) return false;
        if (rest == 0) return true;
        int mask = 0xff << (8 - rest) & 0xff;
        return (a[full] & mask) == (network[full] & mask);
    }

    @Override
    public String toString() {
        return text;
    }
}
