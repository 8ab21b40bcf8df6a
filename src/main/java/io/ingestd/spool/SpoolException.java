package io.ingestd.spool;

import org.jspecify.annotations.Nullable;

/** A group could not be made durable in the spool (full, or the disk failed): it is answered RETRY with the reason. */
public final class SpoolException extends Exception {
    public SpoolException(String reason, @Nullable Throwable cause) {
        super(reason, cause);
    }
}
