package io.ingestd.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The daemon's POSIX calls, through the JDK's Foreign Function & Memory API: small typed wrappers that throw
 * {@link PosixException} (naming the call and errno) instead of returning -1.
 */
public final class Posix {
    public static final int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGKILL = 9, SIGUSR1 = 10, SIGTERM = 15, SIGCHLD = 17;
    public static final int O_RDONLY = 0,
            O_WRONLY = 1,
            O_RDWR = 2,
            O_CREAT = 0100,
            O_APPEND = 02000,
            O_CLOEXEC = 02000000;

    // one holder class per C function: a function is linked (a downcall handle made) on its first call only, so
    // a process links what it uses, not every function of this class
    private static final class GETEUID {
        static final MethodHandle H = Native.function("geteuid", Native.INT);
    }

    private static final class UMASK {
        static final MethodHandle H = Native.function("umask", Native.INT, Native.INT);
    }

    private static final class SETSID {
        static final MethodHandle H = Native.errnoFunction("setsid", Native.INT);
    }

    private static final class KILL {
        static final MethodHandle H = Native.errnoFunction("kill", Native.INT, Native.INT, Native.INT);
    }

    private static final class DUP2 {
        static final MethodHandle H = Native.errnoFunction("dup2", Native.INT, Native.INT, Native.INT);
    }

    private static final class OPEN {
        static final MethodHandle H = Native.errnoFunction("open", Native.INT, Native.POINTER, Native.INT, Native.INT);
    }

    private static final class CLOSE {
        static final MethodHandle H = Native.errnoFunction("close", Native.INT, Native.INT);
    }

    private static final class ISATTY {
        static final MethodHandle H = Native.function("isatty", Native.INT, Native.INT);
    }

    private static final class SIGNAL {
        static final MethodHandle H = Native.errnoFunction("signal", Native.POINTER, Native.INT, Native.POINTER);
    }

    private static final class SIGPROCMASK {
        static final MethodHandle H =
                Native.errnoFunction("sigprocmask", Native.INT, Native.INT, Native.POINTER, Native.POINTER);
    }

    private static final class SETGROUPS {
        static final MethodHandle H = Native.errnoFunction("setgroups", Native.INT, Native.LONG, Native.POINTER);
    }

    private static final class SETGID {
        static final MethodHandle H = Native.errnoFunction("setgid", Native.INT, Native.INT);
    }

    private static final class SETUID {
        static final MethodHandle H = Native.errnoFunction("setuid", Native.INT, Native.INT);
    }

    private static final class PRCTL {
        static final MethodHandle H = Native.errnoFunction(
                "prctl", Native.INT, Native.INT, Native.LONG, Native.LONG, Native.LONG, Native.LONG);
    }

    private static final class CHOWN {
        static final MethodHandle H = Native.errnoFunction("chown", Native.INT, Native.POINTER, Native.INT, Native.INT);
    }

    private static final int SIG_SETMASK = 2;
    private static final int PR_SET_NO_NEW_PRIVS = 38;

    private Posix() {}

    public static int geteuid() {
        return (int) call0(GETEUID.H);
    }

    /** Sets the file mode creation mask; returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.H.invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Starts a new session (and process group) with this process as leader, detached from any terminal. */
    public static int setsid() {
        return checked("setsid()", (arena, st) -> (int) SETSID.H.invokeExact(st));
    }

    /** Sends a signal; false if there is no such process (ESRCH), an exception for anything else (EPERM). */
    public static boolean kill(int pid, int sig) {
        try {
            checked("kill(" + pid + ", " + sig + ")", (arena, st) -> (int) KILL.H.invokeExact(st, pid, sig));
            return true;
        } catch (PosixException e) {
            if (e.errno() == Errno.ESRCH) return false;
            throw e;
        }
    }

    public static void dup2(int oldFd, int newFd) {
        checked("dup2(" + oldFd + ", " + newFd + ")", (arena, st) -> (int) DUP2.H.invokeExact(st, oldFd, newFd));
    }

    public static int open(String path, int flags, int mode) {
        return checked("open(" + path + ")", (arena, st) ->
                (int) OPEN.H.invokeExact(st, arena.allocateFrom(path), flags, mode));
    }

    public static void close(int fd) {
        checked("close(" + fd + ")", (arena, st) -> (int) CLOSE.H.invokeExact(st, fd));
    }

    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.H.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Resets a signal to its default action (a disposition inherited as "ignored" would hide it from the JVM). */
    public static void resetSignalToDefault(int sig) {
        checked("signal(" + sig + ", SIG_DFL)", (arena, st) -> {
            var previous = (MemorySegment) SIGNAL.H.invokeExact(st, sig, MemorySegment.NULL); // SIG_DFL is 0
            return previous.address() == -1L ? -1 : 0; // SIG_ERR
        });
    }

    /** Clears the signal mask of the calling thread (a mask inherited from the parent would block signals). */
    public static void unblockAllSignals() {
        checked("sigprocmask(SIG_SETMASK, {})", (arena, st) -> {
            var empty = arena.allocate(128); // sigset_t on glibc, zeroed: no signal blocked
            return (int) SIGPROCMASK.H.invokeExact(st, SIG_SETMASK, empty, MemorySegment.NULL);
        });
    }

    /** Replaces the supplementary groups (glibc applies it to every thread of the process). */
    public static void setgroups(int[] gids) {
        checked("setgroups(" + java.util.Arrays.toString(gids) + ")", (arena, st) -> {
            var list = gids.length == 0 ? MemorySegment.NULL : arena.allocateFrom(Native.INT, gids);
            return (int) SETGROUPS.H.invokeExact(st, (long) gids.length, list);
        });
    }

    public static void setgid(int gid) {
        checked("setgid(" + gid + ")", (arena, st) -> (int) SETGID.H.invokeExact(st, gid));
    }

    public static void setuid(int uid) {
        checked("setuid(" + uid + ")", (arena, st) -> (int) SETUID.H.invokeExact(st, uid));
    }

    /** prctl(PR_SET_NO_NEW_PRIVS): no exec of this process can ever gain privileges again. */
    public static void setNoNewPrivileges() {
        checked("prctl(PR_SET_NO_NEW_PRIVS)", (arena, st) ->
                (int) PRCTL.H.invokeExact(st, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L));
    }

    public static void chown(String path, int uid, int gid) {
        checked("chown(" + path + ", " + uid + ", " + gid + ")", (arena, st) ->
                (int) CHOWN.H.invokeExact(st, arena.allocateFrom(path), uid, gid));
    }

    private static long call0(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A C call that returns -1 and sets errno on failure: what it needs allocated lives in {@code arena}. */
    @FunctionalInterface
    interface ErrnoCall {
        int invoke(Arena arena, MemorySegment errnoState) throws Throwable;
    }

    /** Runs {@code c} with a confined arena and errno capture; its result, or a PosixException naming {@code call}. */
    static int checked(String call, ErrnoCall c) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int result = c.invoke(arena, st);
            if (result == -1) throw new PosixException(call, Native.errno(st));
            return result;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
