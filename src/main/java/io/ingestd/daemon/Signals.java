package io.ingestd.daemon;

import io.ingestd.posix.Posix;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Proxy;

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
        handle("TERM", daemon::requestStop);
        handle("INT", daemon::requestStop);
        handle("HUP", () -> Thread.ofPlatform().name("reload").start(daemon::reload));
        handle("USR1", () -> Thread.ofPlatform().name("reopen-logs").start(daemon::reopenLogs));
        log.debug("signal handlers installed");
    }

    /**
     * {@code sun.misc.Signal.handle(new Signal(name), s -> action.run())}, through reflection: the JVM has no other
     * way to handle HUP and USR1, and a direct reference is a compiler warning that cannot be suppressed (-Werror).
     */
    private static void handle(String name, Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Object handler = Proxy.newProxyInstance(
                    handlerType.getClassLoader(),
                    new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            action.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> "SIG" + name + " handler";
                    });
            signal.getMethod("handle", signal, handlerType)
                    .invoke(null, signal.getConstructor(String.class).newInstance(name), handler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot handle SIG" + name + ": " + e, e);
        }
    }
}
