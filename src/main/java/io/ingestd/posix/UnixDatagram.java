package io.ingestd.posix;

import org.jspecify.annotations.Nullable;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Sends one AF_UNIX datagram (the JDK's DatagramChannel has no Unix-domain support): for sd_notify. A leading
 * {@code @} in the address means Linux's abstract namespace.
 */
public final class UnixDatagram {
    private static final int AF_UNIX = 1,
            SOCK_DGRAM = 2,
            SOCK_CLOEXEC = 02000000,
            SUN_PATH_OFFSET = 2,
            SUN_PATH_MAX = 108;
    // one holder class per C function: a function is linked (a downcall handle made) on its first call only, so
    // a process links what it uses, not every function of this class
    private static final class SOCKET {
        static final MethodHandle H = Native.errnoFunction("socket", Native.INT, Native.INT, Native.INT, Native.INT);
    }

    private static final class SENDTO {
        static final MethodHandle H = Native.errnoFunction(
                "sendto", Native.LONG, Native.INT, Native.POINTER, Native.LONG, Native.INT, Native.POINTER, Native.INT);
    }

    private static final class BIND {
        static final MethodHandle H = Native.errnoFunction("bind", Native.INT, Native.INT, Native.POINTER, Native.INT);
    }

    private static final class RECV {
        static final MethodHandle H =
                Native.errnoFunction("recv", Native.LONG, Native.INT, Native.POINTER, Native.LONG, Native.INT);
    }

    private static final class CLOSE {
        static final MethodHandle H = Native.function("close", Native.INT, Native.INT);
    }

    private static final class SETSOCKOPT {
        static final MethodHandle H = Native.errnoFunction(
                "setsockopt", Native.INT, Native.INT, Native.INT, Native.INT, Native.POINTER, Native.INT);
    }

    private static final int SOL_SOCKET = 1, SO_RCVTIMEO = 20, EAGAIN = 11;

    private static final class CLOCK_GETTIME {
        static final MethodHandle H = Native.function("clock_gettime", Native.INT, Native.INT, Native.POINTER);
    }

    private UnixDatagram() {}

    /** Sends {@code text} to the socket at {@code address}; false (never an exception) when it cannot. */
    public static boolean send(String address, String text) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int fd = (int) SOCKET.H.invokeExact(st, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) return false;
            try {
                var addr = sockaddr(arena, address);
                byte[] data = text.getBytes(StandardCharsets.UTF_8);
                var buf = arena.allocateFrom(java.lang.foreign.ValueLayout.JAVA_BYTE, data);
                long n = (long) SENDTO.H.invokeExact(st, fd, buf, (long) data.length, 0, addr, (int) addr.byteSize());
                return n == data.length;
            } finally {
                int ignored = (int) CLOSE.H.invokeExact(fd);
            }
        } catch (Throwable t) {
            return false;
        }
    }

    /** Binds a datagram socket at {@code address} and returns its descriptor (tests play systemd with it). */
    public static int bind(String address) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int fd = (int) SOCKET.H.invokeExact(st, AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new PosixException("socket(AF_UNIX)", Native.errno(st));
            var addr = sockaddr(arena, address);
            int r = (int) BIND.H.invokeExact(st, fd, addr, (int) addr.byteSize());
            if (r < 0) throw new PosixException("bind(" + address + ")", Native.errno(st));
            return fd;
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Makes {@link #receive} give up after {@code millis} (returning null). */
    public static void setReceiveTimeout(int fd, long millis) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            var tv = arena.allocate(16);
            tv.set(Native.LONG, 0, millis / 1000);
            tv.set(Native.LONG, 8, (millis % 1000) * 1000);
            int r = (int) SETSOCKOPT.H.invokeExact(st, fd, SOL_SOCKET, SO_RCVTIMEO, tv, 16);
            if (r < 0) throw new PosixException("setsockopt(SO_RCVTIMEO)", Native.errno(st));
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Receives one datagram, waiting for it (or null when a receive timeout passes first). */
    public static @Nullable String receive(int fd) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            var buf = arena.allocate(4096);
            long n = (long) RECV.H.invokeExact(st, fd, buf, 4096L, 0);
            if (n < 0 && Native.errno(st) == EAGAIN) return null;
            if (n < 0) throw new PosixException("recv", Native.errno(st));
            return new String(
                    buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
        } catch (PosixException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.H.invokeExact(fd);
        } catch (Throwable t) {
            // nothing to do
        }
    }

    /** CLOCK_MONOTONIC in microseconds, the clock systemd's MONOTONIC_USEC refers to. */
    public static long monotonicMicros() {
        try (var arena = Arena.ofConfined()) {
            var ts = arena.allocate(16);
            int ignored = (int) CLOCK_GETTIME.H.invokeExact(1, ts);
            return ts.get(Native.LONG, 0) * 1_000_000L + ts.get(Native.LONG, 8) / 1000;
        } catch (Throwable t) {
            return 0;
        }
    }

    private static MemorySegment sockaddr(Arena arena, String address) {
        byte[] path = address.getBytes(StandardCharsets.UTF_8);
        boolean abstractName = address.startsWith("@");
        if (path.length >= SUN_PATH_MAX) throw new IllegalArgumentException("socket path too long: " + address);
        // abstract: exact length, no trailing NUL; path: NUL-terminated
        var addr = arena.allocate(SUN_PATH_OFFSET + path.length + (abstractName ? 0 : 1));
        addr.set(java.lang.foreign.ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
        for (int i = 0; i < path.length; i++)
            addr.set(java.lang.foreign.ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET + i, path[i]);
        if (abstractName) addr.set(java.lang.foreign.ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, (byte) 0);
        return addr;
    }
}
