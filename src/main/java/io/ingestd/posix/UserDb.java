package io.ingestd.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Arrays;
import java.util.Optional;

/** User and group look-ups through the C library (so NSS sources beyond /etc/passwd work too). */
public final class UserDb {
    // one holder class per C function: a function is linked (a downcall handle made) on its first call only, so
    // a process links what it uses, not every function of this class
    private static final class GETPWNAM_R {
        static final MethodHandle H = Native.function(
                "getpwnam_r", Native.INT, Native.POINTER, Native.POINTER, Native.POINTER, Native.LONG, Native.POINTER);
    }

    private static final class GETPWUID_R {
        static final MethodHandle H = Native.function(
                "getpwuid_r", Native.INT, Native.INT, Native.POINTER, Native.POINTER, Native.LONG, Native.POINTER);
    }

    private static final class GETGRNAM_R {
        static final MethodHandle H = Native.function(
                "getgrnam_r", Native.INT, Native.POINTER, Native.POINTER, Native.POINTER, Native.LONG, Native.POINTER);
    }

    private static final class GETGRGID_R {
        static final MethodHandle H = Native.function(
                "getgrgid_r", Native.INT, Native.INT, Native.POINTER, Native.POINTER, Native.LONG, Native.POINTER);
    }

    private static final class GETGROUPLIST {
        static final MethodHandle H =
                Native.function("getgrouplist", Native.INT, Native.POINTER, Native.INT, Native.POINTER, Native.POINTER);
    }

    private static final long BUFFER = 16384;

    /** An entry of the user database. */
    public record Passwd(String name, int uid, int gid, String home) {}

    private UserDb() {}

    /** A user by name, or by numeric uid. */
    public static Optional<Passwd> user(String nameOrUid) {
        try (var arena = Arena.ofConfined()) {
            var pw = arena.allocate(48);
            var buf = arena.allocate(BUFFER);
            var result = arena.allocate(ValueLayout.ADDRESS);
            int rc = nameOrUid.matches("\\d+")
                    ? (int) GETPWUID_R.H.invokeExact(Integer.parseInt(nameOrUid), pw, buf, BUFFER, result)
                    : (int) GETPWNAM_R.H.invokeExact(arena.allocateFrom(nameOrUid), pw, buf, BUFFER, result);
            if (rc != 0 || result.get(ValueLayout.ADDRESS, 0).address() == 0) return Optional.empty();
            return Optional.of(
                    new Passwd(string(pw, 0), pw.get(Native.INT, 16), pw.get(Native.INT, 20), string(pw, 32)));
        } catch (Throwable t) {
            throw new IllegalStateException("user look-up failed: " + t, t);
        }
    }

    /** A group's gid by name, or the number itself if it names an existing group. */
    public static Optional<Integer> group(String nameOrGid) {
        try (var arena = Arena.ofConfined()) {
            var gr = arena.allocate(32);
            var buf = arena.allocate(BUFFER);
            var result = arena.allocate(ValueLayout.ADDRESS);
            int rc = nameOrGid.matches("\\d+")
                    ? (int) GETGRGID_R.H.invokeExact(Integer.parseInt(nameOrGid), gr, buf, BUFFER, result)
                    : (int) GETGRNAM_R.H.invokeExact(arena.allocateFrom(nameOrGid), gr, buf, BUFFER, result);
            if (rc != 0 || result.get(ValueLayout.ADDRESS, 0).address() == 0) return Optional.empty();
            return Optional.of(gr.get(Native.INT, 16));
        } catch (Throwable t) {
            throw new IllegalStateException("group look-up failed: " + t, t);
        }
    }

    /** Every group the user is a member of, including {@code primaryGid}. */
    public static int[] groupsOf(String user, int primaryGid) {
        int n = 64;
        while (true) {
            try (var arena = Arena.ofConfined()) {
                var list = arena.allocate(Native.INT, n);
                var count = arena.allocateFrom(Native.INT, n);
                int rc = (int) GETGROUPLIST.H.invokeExact(arena.allocateFrom(user), primaryGid, list, count);
                int got = count.get(Native.INT, 0);
                if (rc >= 0) return Arrays.copyOf(list.toArray(Native.INT), got);
                n = Math.max(got, n * 2);
            } catch (Throwable t) {
                throw new IllegalStateException("getgrouplist failed: " + t, t);
            }
        }
    }

    private static String string(MemorySegment struct, long offset) {
        var p = struct.get(ValueLayout.ADDRESS, offset);
        return p.address() == 0 ? "" : p.reinterpret(4096).getString(0);
    }
}
