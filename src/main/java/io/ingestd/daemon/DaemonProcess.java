package io.ingestd.daemon;

import io.ingestd.ExitCode;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import io.ingestd.posix.Posix;

import java.io.IOException;
import java.io.PrintStream;

/** The entry point of the detached daemon process that {@link Detach} launches. */
public final class DaemonProcess {
    public static final String COMMAND = "__daemon";

    private DaemonProcess() {}

    public static int main() {
        var pipe = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true);
        var readiness = new PipeReadiness(pipe);
        if (!sessionLeader()) Posix.setsid(); // start launched it through setsid --fork, or directly
        Handoff.Received handoff;
        try {
            var received = Handoff.read(System.in);
            // start launched this process ahead of its checks, then did not go on (it has said why): nothing to do
            if (received.isEmpty()) return ExitCode.OK.code();
            handoff = received.get();
        } catch (IOException e) {
            readiness.failed(Phase.CONFIG, "cannot read the configuration from start: " + e.getMessage());
            return Phase.CONFIG.exitCode.code();
        }
        ConfigLoader.Loaded loaded;
        try {
            loaded = ConfigLoader.load(handoff.source(), handoff.env());
        } catch (ConfigException e) {
            readiness.failed(Phase.CONFIG, "invalid configuration: " + e.getMessage());
            return Phase.CONFIG.exitCode.code();
        }
        Posix.umask(loaded.config().runAs().umask());
        var daemon = new Daemon(loaded.config(), loaded.warnings());
        return daemon.run(readiness, false);
    }

    /** Whether this process leads its session already (field 6 of /proc/self/stat is the session id). */
    private static boolean sessionLeader() {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/self/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 5); // state ppid pgrp session ...
            return Long.parseLong(f[3]) == ProcessHandle.current().pid();
        } catch (IOException | RuntimeException e) {
            return false; // setsid() then says whether it can
        }
    }
}
