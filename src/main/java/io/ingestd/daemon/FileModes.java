package io.ingestd.daemon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;

/**
 * Makes what an earlier command created (check-config before the first start, an older version) follow the
 * daemon's umask: permission bits the mask forbids are removed, none are added.
 */
final class FileModes {
    private static final PosixFilePermission[] BITS = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
        PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
    };

    private FileModes() {}

    static void followUmask(Path dir, int umask) throws IOException {
        var forbidden = EnumSet.noneOf(PosixFilePermission.class);
        for (int i = 0; i < BITS.length; i++) if ((umask & (1 << i)) != 0) forbidden.add(BITS[i]);
        if (forbidden.isEmpty()) return;
        try (var files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (Files.isSymbolicLink(p)) continue;
                var perms = Files.getPosixFilePermissions(p);
                if (!perms.removeAll(forbidden)) continue;
                try {
                    Files.setPosixFilePermissions(p, perms);
                } catch (java.nio.file.FileSystemException e) {
                    // a read-only file system: nothing can be created there either, and the phase that needs to
                    // write (the PID file, the log, the database) refuses the start naming its key and the reason
                    if (!"Read-only file system".equals(e.getReason())) throw e;
                }
            }
        }
    }
}
