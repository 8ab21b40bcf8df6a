package io.ingestd.daemon;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds the daemons {@code start} launched from a configuration file, wherever their PID file is: {@code restart}
 * after a change of {@code data.dir} or {@code pid.file} must stop the daemon that runs, not look for it at the new
 * place. {@link Detach} marks each daemon's environment with the absolute path of its file ({@link #MARK}).
 */
public final class RunningDaemons {
    static final String MARK = "INGESTD_CONFIG_FILE";

    private RunningDaemons() {}

    public static List<ProcessIdentity> startedFrom(Optional<Path> configFile) {
        if (configFile.isEmpty()) return List.of();
        String wanted = MARK + "=" + configFile.get().toAbsolutePath().normalize();
        var found = new ArrayList<ProcessIdentity>();
        long self = ProcessHandle.current().pid();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.matches("\\d+") || Long.parseLong(name) == self) continue;
                if (isDaemonFrom(p, wanted))
                    ProcessIdentity.of(Integer.parseInt(name)).ifPresent(found::add);
            }
        } catch (IOException e) {
            return found; // no /proc: only the PID file can tell
        }
        return found;
    }

    private static boolean isDaemonFrom(Path proc, String wanted) {
        try {
            String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
            if (!cmdline.contains("io.ingestd.Main\0" + DaemonProcess.COMMAND)) return false;
            String environ = new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
            for (String e : environ.split("\0", -1)) if (e.equals(wanted)) return true;
        } catch (IOException e) {
            // gone meanwhile, or not ours to read
        }
        return false;
    }

    /**
     * The PID file a running daemon holds open (and locked): found among its open files, for a daemon whose PID file
     * is no longer where its configuration file alone says (it was started with --set data.dir or pid.file).
     */
    public static Optional<Path> pidFileOf(ProcessIdentity daemon) {
        try (var fds = Files.list(Path.of("/proc/" + daemon.pid() + "/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException e) {
                    continue; // closed meanwhile
                }
                if (target.getFileName() != null
                        && target.getFileName().toString().endsWith(".pid")
                        && PidFile.inspect(target) instanceof PidFile.State.Running(var p)
                        && p.equals(daemon)) {
                    return Optional.of(target);
                }
            }
        } catch (IOException e) {
            // gone, or not ours to read
        }
        return Optional.empty();
    }
}
