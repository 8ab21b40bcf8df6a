package io.ingestd.daemon;

import io.ingestd.config.IoReason;
import io.ingestd.posix.OpenFile;
import io.ingestd.posix.Posix;
import io.ingestd.posix.PosixException;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.OptionalInt;

/**
 * The single-instance guard: a PID file locked (fcntl) for the daemon's whole life. The lock, not the file's
 * existence, says whether ingestd runs: a file left by {@code kill -9} or a reboot is unlocked and never blocks a
 * start. The file holds the pid and the process start time, so a reused pid is never taken for the daemon.
 */
public final class PidFile implements AutoCloseable {
    /** What the daemon's command line runs (the launcher's last class argument). */
    static final String MAIN_CLASS = "io.ingestd.Main";

    private final Path path;
    private final FileChannel channel;
    private final FileLock lock;

    private PidFile(Path path, FileChannel channel, FileLock lock) {
        this.path = path;
        this.channel = channel;
        this.lock = lock;
    }

    /** What the PID file says about the daemon. */
    public sealed interface State {
        record NotRunning() implements State {}
        /** The file exists but nobody holds its lock: the daemon died without cleaning up. */
        record Dead(OptionalInt pid) implements State {}

        record Running(ProcessIdentity process) implements State {}
        /** The file cannot be read (e.g. a non-root user and a root daemon's file): it may well run. */
        record Unknown(String reason) implements State {}
    }

    /** Another live process holds the lock. */
    public static final class HeldException extends Exception {
        private final int pid;

        HeldException(int pid) {
            super("already running (pid " + pid + ")");
            this.pid = pid;
        }

        public int pid() {
            return pid;
        }
    }

    /**
     * Creates or opens the file and takes its lock. The directory may belong to the daemon's user, so the file is
     * opened without following a link and must be a regular file with one link, owned by root, by this process's
     * user or by {@code daemonUid} (the user the daemon becomes: an earlier release handed the file over); it is
     * then used through that descriptor only, and nothing changes its owner (the daemon removes it at stop through
     * its directory).
     */
    public static PidFile acquire(Path path, int daemonUid) throws IOException, HeldException {
        Files.createDirectories(path.getParent());
        FileChannel channel;
        try (var file = OpenFile.readWrite(path, 0644)) {
            var st = file.stat();
            int self = Posix.geteuid();
            if (!st.isRegularFile()
                    || st.links() != 1
                    || (st.uid() != 0 && st.uid() != self && st.uid() != daemonUid)) {
                throw new IOException(path + " is not a regular file of root's or uid " + self
                        + " with a single link (mode 0" + Integer.toOctalString(st.mode()) + ", owner uid "
                        + st.uid() + ", " + st.links() + " links); remove it");
            }
            // 0644 whatever the umask, as PID files are: the daemon's user reads it to find the daemon (status)
            if (st.uid() == self) file.chmod(0644);
            channel = FileChannel.open(file.procPath(), StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (PosixException e) {
            throw new IOException(
                    e.isLink()
                            ? path + " is a symbolic link; a PID file is never followed (remove it)"
                            : e.getMessage(),
                    e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close();
            throw new HeldException(lockHolder(path).orElse(readPid(path).orElse(-1)));
        }
        var self = ProcessIdentity.self();
        channel.truncate(0);
        channel.write(
                ByteBuffer.wrap((self.pid() + "\n" + self.startTime() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        channel.force(true);
        return new PidFile(path, channel, lock);
    }

    /** Removes the file, then releases the lock (in that order, so no other start sees an unlocked file of ours). */
    @Override
    public void close() {
        try {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                channel.truncate(0); // cannot unlink (directory not ours): an empty file means "not running"
            }
            lock.release();
            channel.close();
        } catch (IOException e) {
            // the lock goes with the process anyway
        }
    }

    /**
     * What the file says, trusted only as far as it can be checked: the daemon's user can write the file, so it is
     * never followed as a link, and a lock holder counts as the daemon only if it is the process the file records
     * (pid and start time) and runs ingestd; anything else is {@link State.Unknown}, which nobody signals.
     */
    public static State inspect(Path path) {
        if (Files.isSymbolicLink(path)) {
            return new State.Unknown(
                    path + " is a symbolic link, not a PID file ingestd wrote; nothing is signalled " + "(remove it)");
        }
        OptionalInt recorded;
        try {
            recorded = readPid(path);
        } catch (NoSuchFileException e) {
            return new State.NotRunning();
        } catch (IOException e) {
            return new State.Unknown("cannot read PID file " + path + ": " + IoReason.of(e)
                    + " (run this as root or as the daemon's user)");
        }
        OptionalInt holder = lockHolder(path);
        if (holder.isPresent()) {
            var id = ProcessIdentity.of(holder.getAsInt());
            if (id.isPresent()) {
                String mismatch = mismatch(path, id.get());
                return mismatch == null ? new State.Running(id.get()) : new State.Unknown(mismatch);
            }
        }
        return recorded.isEmpty() ? new State.NotRunning() : new State.Dead(recorded);
    }

    /** Why the lock holder is not the daemon the file records, or null when it is. */
    private static @Nullable String mismatch(Path path, ProcessIdentity holder) {
        List<String> lines;
        String cmdline;
        try {
            lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
            cmdline = Files.readString(Path.of("/proc/" + holder.pid() + "/cmdline"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "cannot check the process holding " + path + ": " + IoReason.of(e);
        }
        if (!cmdline.contains("\0" + MAIN_CLASS + "\0") && !cmdline.endsWith("\0" + MAIN_CLASS)) {
            return "pid " + holder.pid() + " holds the lock on " + path + " but is not ingestd; nothing is signalled";
        }
        // empty: the daemon has taken the lock and not yet written the file (start-up's first milliseconds)
        if (lines.isEmpty()) return null;
        String pid = lines.getFirst().strip();
        String start = lines.size() > 1 ? lines.get(1).strip() : "";
        if (!pid.equals(Integer.toString(holder.pid())) || !start.equals(Long.toString(holder.startTime()))) {
            return path + " records pid " + pid + " (start time " + start + "), but pid " + holder.pid()
                    + " (start time " + holder.startTime() + ") holds its lock; the file was changed by "
                    + "someone else, so nothing is signalled (stop the daemon with its service manager or kill "
                    + holder.pid() + " after checking it)";
        }
        return null;
    }

    static OptionalInt readPid(Path path) throws IOException {
        var lines = Files.readAllLines(path, StandardCharsets.US_ASCII);
        if (lines.isEmpty() || !lines.getFirst().strip().matches("\\d+")) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(lines.getFirst().strip()));
    }

    /** The pid holding a lock on the file, from /proc/locks (no lock taken, so this never disturbs a start). */
    static OptionalInt lockHolder(Path path) {
        try {
            long ino = (Long) Files.getAttribute(path, "unix:ino");
            long dev = (Long) Files.getAttribute(path, "unix:dev");
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
                if (line.contains("->")) continue; // a waiter, not a holder
                String[] f = line.trim().split("\\s+", -1);
                if (f.length < 6) continue;
                String[] id = f[5].split(":", -1);
                if (id.length == 3
                        && Long.parseLong(id[2]) == ino
                        && Long.parseLong(id[0], 16) == major
                        && Long.parseLong(id[1], 16) == minor
                        && f[4].matches("\\d+")) {
                    return OptionalInt.of(Integer.parseInt(f[4]));
                }
            }
        } catch (IOException | RuntimeException e) {
            // unreadable: treat as unlocked
        }
        return OptionalInt.empty();
    }
}
