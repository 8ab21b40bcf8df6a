package io.ingestd.posix;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Map;

/** Names and messages of errno values (Linux). */
final class Errno {
    static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EAGAIN = 11, EACCES = 13, EINVAL = 22;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(1, "EPERM"),
            Map.entry(2, "ENOENT"),
            Map.entry(3, "ESRCH"),
            Map.entry(4, "EINTR"),
            Map.entry(5, "EIO"),
            Map.entry(9, "EBADF"),
            Map.entry(11, "EAGAIN"),
            Map.entry(12, "ENOMEM"),
            Map.entry(13, "EACCES"),
            Map.entry(17, "EEXIST"),
            Map.entry(20, "ENOTDIR"),
            Map.entry(21, "EISDIR"),
            Map.entry(22, "EINVAL"),
            Map.entry(24, "EMFILE"),
            Map.entry(28, "ENOSPC"),
            Map.entry(30, "EROFS"),
            Map.entry(34, "ERANGE"),
            Map.entry(40, "ELOOP"),
            Map.entry(98, "EADDRINUSE"),
            Map.entry(111, "ECONNREFUSED"));
    private static final MethodHandle STRERROR = Native.function("strerror", Native.POINTER, Native.INT);

    private Errno() {}

    static String name(int errno) {
        return NAMES.getOrDefault(errno, "errno " + errno);
    }

    static String describe(int errno) {
        try {
            var p = (MemorySegment) STRERROR.invokeExact(errno);
            return p.reinterpret(1024).getString(0);
        } catch (Throwable t) {
            return "unknown error";
        }
    }
}
