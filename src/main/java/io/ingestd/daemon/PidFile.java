package io.ingestd.daemon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.OptionalInt;

/**
 * The single-instance guard: a PID file locked (fcntl) for the daemon's whole life. The lock, not the file's
 * existence, says whether ingestd runs: a file left by {@code kill -9} or a reboot is unlocked and never blocks a
 * start. The file holds the pid and the process start time, so a reused pid is never taken for the daemon.
 */
public final class PidFile implements AutoCloseable {
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

    public static PidFile acquire(Path path) throws IOException, HeldException {
        Files.createDirectories(path.getParent());
        var channel = FileChannel.open(
                path,
                List.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE).stream()
                        .collect(java.util.stream.Collectors.toSet()),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
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

    public Path path() {
        return path;
    }

    /** Hands the file to the user the daemon will run as, so it can still remove it at stop. */
    public void chown(int uid, int gid) {
        io.ingestd.posix.Posix.chown(path.toString(), uid, gid);
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

    public static State inspect(Path path) {
        OptionalInt recorded;
        try {
            recorded = readPid(path);
        } catch (NoSuchFileException e) {
            return new State.NotRunning();
        } catch (IOException e) {
            return new State.Unknown("cannot read PID file " + path + ": " + io.ingestd.config.IoReason.of(e)
                    + " (run this as root or as the daemon's user)");
        }
        OptionalInt holder = lockHolder(path);
        if (holder.isPresent()) {
            var id = ProcessIdentity.of(holder.getAsInt());
            if (id.isPresent()) return new State.Running(id.get());
        }
        return recorded.isEmpty() ? new State.NotRunning() : new State.Dead(recorded);
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
