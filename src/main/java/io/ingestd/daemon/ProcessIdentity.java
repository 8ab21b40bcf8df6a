package io.ingestd.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * A process by pid and start time (field 22 of /proc/PID/stat, in clock ticks since boot). Pids are reused; the
 * pair is not, so stop and status never signal or report a process that merely got the daemon's old pid.
 */
public record ProcessIdentity(int pid, long startTime) {
    private static final long CLOCK_TICKS = 100; // USER_HZ, 100 on every Linux architecture ingestd runs on

    public static Optional<ProcessIdentity> of(int pid) {
        return startTimeOf(pid).map(t -> new ProcessIdentity(pid, t));
    }

    public static ProcessIdentity self() {
        int pid = (int) ProcessHandle.current().pid();
        return of(pid).orElseThrow(() -> new IllegalStateException("cannot read /proc/" + pid + "/stat"));
    }

    /** True while this very process exists (and is not a zombie). */
    public boolean isAlive() {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            String[] f = afterComm(stat);
            return Long.parseLong(f[19]) == startTime && !f[0].equals("Z");
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** How long the process has been running. */
    public Duration uptime() {
        try {
            String up = Files.readString(Path.of("/proc/uptime"), StandardCharsets.US_ASCII)
                    .split("\\s+", -1)[0];
            double secs = Double.parseDouble(up) - (double) startTime / CLOCK_TICKS;
            return Duration.ofMillis((long) (Math.max(0, secs) * 1000));
        } catch (IOException | RuntimeException e) {
            return Duration.ZERO;
        }
    }

    static Optional<Long> startTimeOf(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"), StandardCharsets.US_ASCII);
            return Optional.of(Long.parseLong(afterComm(stat)[19]));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The fields after "pid (comm)": comm may hold spaces and parentheses, so split after the last ')'. */
    private static String[] afterComm(String stat) {
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }
}
