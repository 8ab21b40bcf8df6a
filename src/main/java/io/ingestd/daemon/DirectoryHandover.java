package io.ingestd.daemon;

import io.ingestd.posix.OpenFile;
import io.ingestd.posix.PosixException;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Makes the daemon's directories ready before the privilege drop, as root, without ever following a link or
 * touching what ingestd did not create: a missing directory is created and handed to the daemon's user; an existing
 * one must already be that user's, or be root's holding nothing but ingestd's own files (check-config or an older
 * release made it). Inside, only entries that root created are handed over, each through its own descriptor
 * (opened with O_NOFOLLOW, checked to be a regular file with one link or a directory, then fchown and fchmod), and
 * never anything another user owns or a link. A directory every user may write is refused.
 */
final class DirectoryHandover {
    /** The names ingestd gives what it keeps in its directories: the H2 files, logs, PID and socket, spool. */
    private static final Pattern OWN_NAMES = Pattern.compile(
            "ingestd(\\..*)?|rejects\\..*|schema-(validated|migrated)(\\.tmp)?|spool|quarantine|seg-\\d+\\.spool.*");
    /** How deep root-created directories (the spool's quarantine) are followed; nothing else is descended into. */
    private static final int MAX_DEPTH = 2;

    /** A directory of the daemon's, with the key that configures it (for messages). */
    record Dir(Path path, String key) {}

    /** Who the files go to; null when the daemon keeps the identity it has (no drop). */
    private final PrivilegeDrop.@Nullable Identity target;

    private final int umask;

    DirectoryHandover(PrivilegeDrop.@Nullable Identity target, int umask) {
        this.target = target;
        this.umask = umask;
    }

    /** Refused: says which key and directory, why, and what to do. */
    static final class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    void prepare(Dir d) throws Refused, IOException {
        Path path = d.path();
        boolean created = false;
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(path);
            created = true;
        } else if (Files.isSymbolicLink(path)) {
            var link = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!isTrusted(link.owner().getName())) {
                throw new Refused(d.key() + ": " + path + " is a symbolic link owned by "
                        + link.owner().getName()
                        + "; root follows only links that root made (point " + d.key()
                        + " at the real directory)");
            }
            path = path.toRealPath();
        }
        try (var dir = OpenFile.directory(path)) {
            var st = dir.stat();
            if ((st.permissions() & 0002) != 0) {
                throw new Refused(d.key() + ": " + path + " is writable by every user (mode 0"
                        + Integer.toOctalString(st.permissions()) + "); ingestd needs a directory of its own "
                        + "(chmod o-w " + path + ", or choose another directory)");
            }
            if (target == null || target.uid() == 0) return;
            if (st.uid() == target.uid()) {
                handOverChildren(dir, 1);
            } else if (st.uid() == 0 && (created || holdsOnlyOwnFiles(dir, path, d.key()))) {
                dir.chmod(st.permissions() & ~umask);
                dir.chown(target.uid(), target.gid());
                handOverChildren(dir, 1);
            } else {
                throw new Refused(d.key() + ": " + path + " belongs to uid " + st.uid() + ", not to user "
                        + target.user() + " that ingestd runs as (chown " + target.user() + " " + path
                        + ", or choose a directory of its own)");
            }
        } catch (PosixException e) {
            throw new Refused(d.key() + ": cannot open " + path + ": " + e.getMessage());
        }
    }

    private static boolean isTrusted(String owner) {
        return owner.equals("root") || owner.equals(System.getProperty("user.name"));
    }

    /** A root-owned directory that ingestd may take: only its own names in it (or nothing). */
    private static boolean holdsOnlyOwnFiles(OpenFile dir, Path path, String key) throws Refused, IOException {
        try (var names = Files.list(dir.procPath())) {
            for (Path p : names.toList()) {
                String name = p.getFileName().toString();
                if (!OWN_NAMES.matcher(name).matches()) {
                    throw new Refused(key + ": " + path + " belongs to root and holds " + name
                            + ", which ingestd did not create; give ingestd a directory of its own (for example "
                            + path.resolve("ingestd") + ")");
                }
            }
        }
        return true;
    }

    /** Hands over what root created directly inside: regular files with one link, and root's own directories. */
    private void handOverChildren(OpenFile dir, int depth) throws IOException {
        var id = target;
        if (id == null) return;
        List<Path> children;
        try (var names = Files.list(dir.procPath())) {
            children = names.toList();
        }
        for (Path p : children) {
            OpenFile child;
            try {
                child = dir.child(p.getFileName().toString());
            } catch (PosixException e) {
                continue; // a link (never followed), a name gone, a socket or FIFO: nothing root hands over
            }
            try (child) {
                var st = child.stat();
                if (st.uid() != 0) continue; // the daemon's already, or another user's: not ours to change
                if (st.isRegularFile() && st.links() == 1) {
                    child.chmod(st.permissions() & ~umask);
                    child.chown(id.uid(), id.gid());
                } else if (st.isDirectory() && depth < MAX_DEPTH) {
                    child.chmod(st.permissions() & ~umask);
                    child.chown(id.uid(), id.gid());
                    handOverChildren(child, depth + 1);
                }
            }
        }
    }
}
