package io.ingestd.cli;

import io.ingestd.daemon.ControlServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Reads the reload counter and outcome from the daemon's status, to tell whether a SIGHUP was applied. */
final class ReloadOutcome {
    private static final Pattern COUNT = Pattern.compile("\"reloads\":(\\d+)");
    private static final Pattern LAST = Pattern.compile("\"last_reload\":\"((?:[^\"\\\\]|\\\\.)*)\"");

    private ReloadOutcome() {}

    static int count(Path sock) {
        return ControlServer.ask(sock, "status")
                .map(s -> COUNT.matcher(s))
                .filter(java.util.regex.Matcher::find)
                .map(m -> Integer.parseInt(m.group(1)))
                .orElse(-1);
    }

    static Optional<String> await(Path sock, int before, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            var s = ControlServer.ask(sock, "status");
            if (s.isPresent()) {
                var c = COUNT.matcher(s.get());
                if (c.find() && Integer.parseInt(c.group(1)) > before) {
                    var m = LAST.matcher(s.get());
                    return m.find() ? Optional.of(m.group(1).replace("\\\"", "\"")) : Optional.of("? applied");
                }
            }
            try {
                TimeUnit.MILLISECONDS.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
