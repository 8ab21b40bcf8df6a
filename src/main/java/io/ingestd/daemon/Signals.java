package io.ingestd.daemon;

import io.ingestd.posix.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * nginx's signal meanings where the JVM allows: TERM and INT stop gracefully (a second one stops fast), HUP
 * reloads, USR1 reopens the log files. QUIT stays the JVM's thread dump. Dispositions are first reset to
 * default, because a signal inherited as ignored (HUP under nohup) would otherwise never reach a handler.
 */
final class Signals {
    private static final Logger log = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    static void install(Daemon daemon) {
        Posix.unblockAllSignals();
        for (int sig : new int[] {Posix.SIGHUP, Posix.SIGINT, Posix.SIGTERM, Posix.SIGUSR1}) {
            Posix.resetSignalToDefault(sig);
        }
        // handlers run on the JVM's signal thread; the work goes to a thread of its own so signals stay responsive
        Signal.handle(new Signal("TERM"), s -> daemon.requestStop());
        Signal.handle(new Signal("INT"), s -> daemon.requestStop());
        Signal.handle(new Signal("HUP"), s -> Thread.ofPlatform().name("reload").start(daemon::reload));
        Signal.handle(new Signal("USR1"), s -> Thread.ofPlatform().name("reopen-logs").start(daemon::reopenLogs));
        log.debug("signal handlers installed");
    }
}
