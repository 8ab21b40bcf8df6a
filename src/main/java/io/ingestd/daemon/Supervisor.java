package io.ingestd.daemon;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The one place every long-lived thread of the daemon is started, and the one exception handler they share (the
 * Disruptor's {@code ExceptionHandler}). A throwable that escapes a thread's loop is logged at ERROR with the
 * thread's name and stack, the component answers what it held ({@code RETRY}), health turns failed, and the
 * daemon is asked to stop.
 *
 * <p>Stop rather than restart the component: a daemon that keeps acknowledging with a component that failed for a
 * reason nobody understands is worse than one that stops; systemd's {@code Restart=on-failure} (the exit code is
 * {@link io.ingestd.ExitCode#COMPONENT_FAILED}) or the operator starts it again, from a clean state.
 */
public final class Supervisor {
    private static final Logger log = LoggerFactory.getLogger(Supervisor.class);

    /** What a component does when its thread fails: answer what it held. Runs on the failing thread. */
    @FunctionalInterface
    public interface OnFailure {
        void failed(Throwable cause);

        OnFailure NOTHING_HELD = cause -> {};
    }

    private final Runnable stopDaemon;
    private final AtomicReference<String> failure = new AtomicReference<>();

    /** @param stopDaemon asks the daemon to stop (it must not block: it runs on the failing thread) */
    public Supervisor(Runnable stopDaemon) {
        this.stopDaemon = stopDaemon;
    }

    /** Starts a platform thread that runs {@code body}; a throwable that escapes it is handled as above. */
    public Thread start(String name, Runnable body, OnFailure onFailure) {
        return Thread.ofPlatform().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failed(name, t, onFailure);
            }
        });
    }

    /** Like {@link #start}, as a daemon thread (one the JVM does not wait for at exit). */
    public Thread startBackground(String name, Runnable body) {
        return Thread.ofPlatform().daemon().name(name).start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failed(name, t, OnFailure.NOTHING_HELD);
            }
        });
    }

    private void failed(String thread, Throwable t, OnFailure onFailure) {
        log.error("thread {} failed; answering what it held RETRY and stopping the daemon", thread, t);
        failure.compareAndSet(null, "thread " + thread + " failed: " + t);
        try {
            onFailure.failed(t);
        } catch (Throwable again) {
            log.error("thread {}: answering what it held failed too", thread, again);
        }
        stopDaemon.run();
    }

    /** The first thread failure, if any: health reports it, and the daemon exits with COMPONENT_FAILED. */
    public Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }
}
