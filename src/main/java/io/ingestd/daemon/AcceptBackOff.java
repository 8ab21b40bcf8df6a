package io.ingestd.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What an accept loop does when accepting fails: mostly EMFILE, the process out of descriptors, which fails
 * every accept at once until some are freed. It waits before the next try, 10 ms doubling to a second, and logs
 * one line per interval with the count, instead of spinning and writing a line per failure.
 */
final class AcceptBackOff {
    private static final Logger log = LoggerFactory.getLogger(AcceptBackOff.class);
    private static final long MIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final long MAX_WAIT_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final String what;
    private long waitNanos = MIN_WAIT_NANOS;
    private long failures;
    private long lastLog = System.nanoTime() - LOG_EVERY_NANOS;

    AcceptBackOff(String what) {
        this.what = what;
    }

    void succeeded() {
        waitNanos = MIN_WAIT_NANOS;
    }

    /** Logs (at most once per interval), then waits before the caller tries again. */
    void failed(Exception e) {
        failures++;
        long now = System.nanoTime();
        if (now - lastLog >= LOG_EVERY_NANOS) {
            log.warn(
                    "{}: accept failed: {} ({} failure(s) since the last line; trying again every {} ms at most)",
                    what,
                    e.toString(),
                    failures,
                    TimeUnit.NANOSECONDS.toMillis(MAX_WAIT_NANOS));
            failures = 0;
            lastLog = now;
        }
        LockSupport.parkNanos(waitNanos);
        waitNanos = Math.min(2 * waitNanos, MAX_WAIT_NANOS);
    }

    long failuresSinceLastLine() {
        return failures;
    }
}
