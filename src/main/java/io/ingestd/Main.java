package io.ingestd;

import io.ingestd.cli.IngestdCommand;
import io.ingestd.daemon.DaemonProcess;

/** The {@code ingestd} program: the CLI, or the detached daemon process that {@code start} launches. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals(DaemonProcess.COMMAND)) System.exit(DaemonProcess.main());
        System.exit(IngestdCommand.execute(args));
    }
}
