package io.ingestd.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * A file descriptor opened without following a symbolic link in its last component, and the calls that act on the
 * open file rather than on a name (fstat, fchown, fchmod, openat): what root uses on anything inside a directory
 * another user can write, where a name can be swapped for a link between a check and its use.
 */
public final class OpenFile implements AutoCloseable {
    private static final int O_NOFOLLOW = 0400000, O_DIRECTORY = 0200000, O_NONBLOCK = 04000;
    private static final int AT_EMPTY_PATH = 0x1000, STATX_BASIC_STATS = 0x7ff;
    public static final int S_IFMT = 0170000, S_IFREG = 0100000, S_IFDIR = 0040000;

    private static final class OPENAT {
        static final MethodHandle H =
                Native.errnoFunction("openat", Native.INT, Native.INT, Native.POINTER, Native.INT, Native.INT);
    }

    private static final class STATX {
        static final MethodHandle H = Native.errnoFunction(
                "statx", Native.INT, Native.INT, Native.POINTER, Native.INT, Native.INT, Native.POINTER);
    }

    private static final class FCHOWN {
        static final MethodHandle H = Native.errnoFunction("fchown", Native.INT, Native.INT, Native.INT, Native.INT);
    }

    private static final class FCHMOD {
        static final MethodHandle H = Native.errnoFunction("fchmod", Native.INT, Native.INT, Native.INT);
    }

    private static final class CLOSE {
        static final MethodHandle H = Native.errnoFunction("close", Native.INT, Native.INT);
    }

    private static final int AT_FDCWD = -100;

    /** What fstat says of the open file (statx's layout, the same on every architecture). */
    public record Stat(int mode, int uid, int gid, int links, long inode) {
        public boolean isRegularFile() {
            return (mode & S_IFMT) == S_IFREG;
        }

        public boolean isDirectory() {
            return (mode & S_IFMT) == S_IFDIR;
        }

        /** Permission bits only. */
        public int permissions() {
            return mode & 07777;
        }
    }

    private final String name;
    private final int fd;
    private boolean closed;

    private OpenFile(String name, int fd) {
        this.name = name;
        this.fd = fd;
    }

    /** Opens a directory; a symbolic link in the last component fails with ELOOP (or ENOTDIR). */
    public static OpenFile directory(Path path) {
        return at(AT_FDCWD, path.toString(), Posix.O_RDONLY | O_DIRECTORY | O_NOFOLLOW | Posix.O_CLOEXEC, 0);
    }

    /** Opens (creating it with {@code mode} if missing) a file for reading and writing, never through a link. */
    public static OpenFile readWrite(Path path, int mode) {
        return at(AT_FDCWD, path.toString(), Posix.O_RDWR | Posix.O_CREAT | O_NOFOLLOW | Posix.O_CLOEXEC, mode);
    }

    /**
     * Opens the entry {@code child} of this directory, whatever its type, never through a link (O_NONBLOCK: a FIFO
     * planted there does not block the open).
     */
    public OpenFile child(String child) {
        return at(fd, child, Posix.O_RDONLY | O_NOFOLLOW | O_NONBLOCK | Posix.O_CLOEXEC, 0);
    }

    private static OpenFile at(int dirFd, String path, int flags, int mode) {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            int fd = (int) OPENAT.H.invokeExact(st, dirFd, arena.allocateFrom(path), flags, mode);
            if (fd == -1) throw new PosixException("open(" + path + ")", Native.errno(st));
            return new OpenFile(path, fd);
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
    }

    public Stat stat() {
        try (var arena = Arena.ofConfined()) {
            var st = Native.captureState(arena);
            MemorySegment buf = arena.allocate(256);
            int r = (int) STATX.H.invokeExact(st, fd, arena.allocateFrom(""), AT_EMPTY_PATH, STATX_BASIC_STATS, buf);
            if (r == -1) throw new PosixException("fstat(" + name + ")", Native.errno(st));
            // struct statx: stx_nlink @16, stx_uid @20, stx_gid @24 (u32), stx_mode @28 (u16), stx_ino @32 (u64)
            return new Stat(
                    Short.toUnsignedInt(buf.get(ValueLayout.JAVA_SHORT, 28)),
                    buf.get(ValueLayout.JAVA_INT, 20),
                    buf.get(ValueLayout.JAVA_INT, 24),
                    buf.get(ValueLayout.JAVA_INT, 16),
                    buf.get(ValueLayout.JAVA_LONG, 32));
        } catch (Throwable t) {
            throw Posix.rethrow(t);
        }
    }

    public void chown(int uid, int gid) {
        Posix.checked("fchown(" + name + ", " + uid + ", " + gid + ")", (arena, st) ->
                (int) FCHOWN.H.invokeExact(st, fd, uid, gid));
    }

    public void chmod(int mode) {
        Posix.checked("fchmod(" + name + ", " + Integer.toOctalString(mode) + ")", (arena, st) ->
                (int) FCHMOD.H.invokeExact(st, fd, mode));
    }

    /** A name that opens this very file, whatever happens to its path from now on (for Java's own channels). */
    public Path procPath() {
        return Path.of("/proc/self/fd/" + fd);
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        Posix.checked("close(" + name + ")", (arena, st) -> (int) CLOSE.H.invokeExact(st, fd));
    }
}
