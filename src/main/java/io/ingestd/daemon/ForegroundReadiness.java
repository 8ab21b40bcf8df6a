package io.ingestd.daemon;

import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** Readiness for {@code run}: sd_notify under systemd (READY=1, or STATUS= and ERRNO= on failure), else the log. */
public final class ForegroundReadiness implements Readiness {
    private final @Nullable SdNotify systemd;

    private ForegroundReadiness(@Nullable SdNotify systemd) {
        this.systemd = systemd;
    }

    public static Readiness create() {
        return new ForegroundReadiness(SdNotify.fromEnvironment().orElse(null));
    }

    @Override
    public void ready(String summary) {
        if (systemd != null)
            systemd.send("READY=1\nSTATUS=ready, " + summary + "\nMAINPID="
                    + ProcessHandle.current().pid());
    }

    @Override
    public void failed(Phase phase, String message) {
        if (systemd != null) systemd.send("STATUS=failed (" + phase.label() + "): " + message);
        LoggerFactory.getLogger(ForegroundReadiness.class)
                .error("ingestd failed to start ({}): {}", phase.label(), message);
    }
}
