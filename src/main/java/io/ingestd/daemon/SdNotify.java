package io.ingestd.daemon;

import io.ingestd.posix.UnixDatagram;

import java.util.Optional;
import java.util.OptionalLong;

/**
 * systemd's notify protocol, spoken directly: datagrams to $NOTIFY_SOCKET (a path, or an abstract socket
 * written {@code @name}). A failed notification is logged by nobody and never stops the daemon.
 */
public final class SdNotify {
    private final String address;

    public SdNotify(String address) {
        this.address = address;
    }

    public static Optional<SdNotify> fromEnvironment() {
        String s = System.getenv("NOTIFY_SOCKET");
        return s == null || s.isEmpty() ? Optional.empty() : Optional.of(new SdNotify(s));
    }

    /** Half of this is the ping period; empty unless systemd asked this very process for watchdog pings. */
    public static OptionalLong watchdogIntervalMicros() {
        String usec = System.getenv("WATCHDOG_USEC");
        String pid = System.getenv("WATCHDOG_PID");
        if (usec == null || !usec.matches("\\d+")) return OptionalLong.empty();
        if (pid != null && !pid.equals(String.valueOf(ProcessHandle.current().pid()))) return OptionalLong.empty();
        return OptionalLong.of(Long.parseLong(usec));
    }

    public boolean send(String state) {
        return UnixDatagram.send(address, state);
    }

    public boolean ready() {
        return send("READY=1");
    }

    public boolean status(String text) {
        return send("STATUS=" + text.replace('\n', ' '));
    }

    public boolean stopping() {
        return send("STOPPING=1");
    }

    public boolean watchdog() {
        return send("WATCHDOG=1");
    }

    /** RELOADING=1 with the CLOCK_MONOTONIC time, as Type=notify-reload requires. */
    public boolean reloading() {
        return send("RELOADING=1\nMONOTONIC_USEC=" + UnixDatagram.monotonicMicros());
    }
}
