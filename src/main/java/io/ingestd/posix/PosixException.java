package io.ingestd.posix;

/** A failed C library call, with the call and errno named: {@code setgid(65534): EPERM (Operation not permitted)}. */
public final class PosixException extends RuntimeException {
    private final int errno;

    public PosixException(String call, int errno) {
        super(call + ": " + Errno.name(errno) + " (" + Errno.describe(errno) + ")");
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }

    /** The name was a symbolic link, and the open refused to follow it (O_NOFOLLOW). */
    public boolean isLink() {
        return errno == 40 || errno == 20; // ELOOP; ENOTDIR for a link where a directory was asked for
    }

    /** There was nothing by that name. */
    public boolean isMissing() {
        return errno == Errno.ENOENT;
    }
}
