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
    public static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_APPEND = 02000, O_CLOEXEC = 02000000;

    private static final MethodHandle GETPID = Native.function("getpid", Native.INT);
    private static final MethodHandle GETPPID = Native.function("getppid", Native.INT);
    private static final MethodHandle GETUID = Native.function("getuid", Native.INT);
    private static final MethodHandle GETEUID = Native.function("geteuid", Native.INT);
    private static final MethodHandle GETGID = Native.function("getgid", Native.INT);
    private static final MethodHandle GETEGID = Native.function("getegid", Native.INT);
    private static final MethodHandle UMASK = Native.function("umask", Native.INT, Native.INT);
    private static final MethodHandle SETSID = Native.errnoFunction("setsid", Native.INT);
    private static final MethodHandle GETSID = Native.errnoFunction("getsid", Native.INT, Native.INT);
    private static final MethodHandle KILL = Native.errnoFunction("kill", Native.INT, Native.INT, Native.INT);
    private static final MethodHandle DUP2 = Native.errnoFunction("dup2", Native.INT, Native.INT, Native.INT);
    private static final MethodHandle OPEN = Native.errnoFunction("open", Native.INT, Native.POINTER, Native.INT, Native.INT);
    private static final MethodHandle CLOSE = Native.errnoFunction("close", Native.INT, Native.INT);
    private static final MethodHandle ISATTY = Native.function("isatty", Native.INT, Native.INT);
    private static final MethodHandle SIGNAL = Native.errnoFunction("signal", Native.POINTER, Native.INT, Native.POINTER);
    private static final MethodHandle SIGPROCMASK = Native.errnoFunction("sigprocmask", Native.INT, Native.INT, Native.POINTER, Native.POINTER);
    private static final MethodHandle SETGROUPS = Native.errnoFunction("setgroups", Native.INT, Native.LONG, Native.POINTER);
    private static final MethodHandle SETGID = Native.errnoFunction("setgid", Native.INT, Native.INT);
    private static final MethodHandle SETUID = Native.errnoFunction("setuid", Native.INT, Native.INT);
    private static final MethodHandle PRCTL = Native.errnoFunction("prctl", Native.INT, Native.INT, Native.LONG, Native.LONG, Native.LONG, Native.LONG);
    private static final MethodHandle CHOWN = Native.errnoFunction("chown", Native.INT, Native.POINTER, Native.INT, Native.INT);
    private static final int SIG_SETMASK = 2;
    private static final int PR_SET_NO_NEW_PRIVS = 38;

    private Posix() {}

    public static int getpid() { return (int) call0(GETPID); }
    public static int getppid() { return (int) call0(GETPPID); }
    public static int getuid() { return (int) call0(GETUID); }
    public static int geteuid() { return (int) call0(GETEUID); }
    public static int getgid() { return (int) call0(GETGID); }
    public static int getegid() { return (int) call0(GETEGID); }

    /** Sets the file mode creation mask; returns the previous one. */
    public static int umask(int mask) {
        try {
            return (int) UMASK.invokeExact(mask);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Starts a new session (and process group) with this process as leader, detached from any terminal. */
    public static int setsid() {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) SETSID.invokeExact(st);
            return check("setsid()", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getsid(int pid) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) GETSID.invokeExact(st, pid);
            return check("getsid(" + pid + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Sends a signal; false if there is no such process (ESRCH), an exception for anything else (EPERM). */
    public static boolean kill(int pid, int sig) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) KILL.invokeExact(st, pid, sig);
            if (r == 0) return true;
            if (Native.errno(st) == Errno.ESRCH) return false;
            throw new PosixException("kill(" + pid + ", " + sig + ")", Native.errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void dup2(int oldFd, int newFd) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) DUP2.invokeExact(st, oldFd, newFd);
            check("dup2(" + oldFd + ", " + newFd + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int open(String path, int flags, int mode) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) OPEN.invokeExact(st, arena.allocateFrom(path), flags, mode);
            return check("open(" + path + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) CLOSE.invokeExact(st, fd);
            check("close(" + fd + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static boolean isatty(int fd) {
        try {
            return (int) ISATTY.invokeExact(fd) == 1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Resets a signal to its default action (a disposition inherited as "ignored" would hide it from the JVM). */
    public static void resetSignalToDefault(int sig) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            var r = (MemorySegment) SIGNAL.invokeExact(st, sig, MemorySegment.NULL); // SIG_DFL is 0
            if (r.address() == -1L) throw new PosixException("signal(" + sig + ", SIG_DFL)", Native.errno(st));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Clears the signal mask of the calling thread (a mask inherited from the parent would block signals). */
    public static void unblockAllSignals() {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            var empty = arena.allocate(128); // sigset_t on glibc, zeroed: no signal blocked
            int r = (int) SIGPROCMASK.invokeExact(st, SIG_SETMASK, empty, MemorySegment.NULL);
            check("sigprocmask(SIG_SETMASK, {})", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Replaces the supplementary groups (glibc applies it to every thread of the process). */
    public static void setgroups(int[] gids) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            var list = gids.length == 0 ? MemorySegment.NULL : arena.allocateFrom(Native.INT, gids);
            int r = (int) SETGROUPS.invokeExact(st, (long) gids.length, list);
            check("setgroups(" + java.util.Arrays.toString(gids) + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setgid(int gid) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) SETGID.invokeExact(st, gid);
            check("setgid(" + gid + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void setuid(int uid) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) SETUID.invokeExact(st, uid);
            check("setuid(" + uid + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** prctl(PR_SET_NO_NEW_PRIVS): no exec of this process can ever gain privileges again. */
    public static void setNoNewPrivileges() {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) PRCTL.invokeExact(st, PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L);
            check("prctl(PR_SET_NO_NEW_PRIVS)", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void chown(String path, int uid, int gid) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int r = (int) CHOWN.invokeExact(st, arena.allocateFrom(path), uid, gid);
            check("chown(" + path + ", " + uid + ", " + gid + ")", r, st);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long call0(MethodHandle h) {
        try {
            return (int) h.invokeExact();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static int check(String call, int result, MemorySegment state) {
        if (result == -1) throw new PosixException(call, Native.errno(state));
        return result;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
