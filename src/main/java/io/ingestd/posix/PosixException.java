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
}
