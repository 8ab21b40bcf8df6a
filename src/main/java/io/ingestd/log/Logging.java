package io.ingestd.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.FileAppender;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Sets up Logback in code, from the daemon's configuration: the main log ({@code ingestd.log}, or stderr in the
 * foreground) and the reject log ({@code rejects.log}), both rolling by size and day, or (with {@code
 * log.rotate=external}) plain files that logrotate moves. Also the two live operations on logs: level change
 * (reload) and reopen (SIGUSR1, after logrotate moved the files).
 */
public final class Logging {
    public static final String MAIN_FILE = "ingestd.log";
    public static final String REJECT_FILE = "rejects.log";
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{24} - %msg%n";

    private Logging() {}

    /**
     * Sets the main and reject logs up, replacing whatever Logback had.
     *
     * @param rotate whether ingestd rolls its own files; false when an outside tool (logrotate) does, so the two
     *     never rotate the same file
     */
    public static void configure(Path logDir, String level, boolean toStderr, boolean rotate) {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        List<ILoggingEvent> early = startupLines(ctx);
        ctx.reset();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(toStderr ? console(ctx) : file(ctx, logDir, MAIN_FILE, PATTERN, rotate));
        quiet(ctx, "com.zaxxer.hikari", Level.WARN);
        quiet(ctx, "org.flywaydb", Level.WARN);
        quiet(ctx, "org.zeromq", Level.WARN);
        Logger rejects = ctx.getLogger(RejectLog.LOGGER);
        rejects.setAdditive(false);
        rejects.setLevel(Level.INFO);
        rejects.addAppender(file(ctx, logDir, REJECT_FILE, "%msg%n", rotate));
        // what start-up said before the files could be opened (as root, before the drop) goes to them first
        if (!toStderr) for (var e : early) ctx.getLogger(e.getLoggerName()).callAppenders(e);
    }

    /**
     * Until {@link #configure}: keeps the daemon's start-up lines at its log level in memory, and prints warnings to
     * stderr as the commands do. The log files are opened only after the privilege drop, by the user the daemon
     * becomes (root never opens a file in a directory that user can write); what start-up logs before that is
     * written to them as soon as they are open.
     */
    public static void bufferStartup(String level, boolean toStderr) {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.reset();
        Logger root = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        var console = console(ctx);
        if (!toStderr) {
            var warnings = new ThresholdFilter();
            warnings.setLevel("WARN");
            warnings.start();
            console.addFilter(warnings);
            var buffer = new ListAppender<ILoggingEvent>();
            buffer.setContext(ctx);
            buffer.setName(STARTUP_BUFFER);
            buffer.start();
            root.addAppender(buffer);
        }
        root.addAppender(console);
        quiet(ctx, "com.zaxxer.hikari", Level.WARN);
        quiet(ctx, "org.flywaydb", Level.WARN);
        quiet(ctx, "org.zeromq", Level.WARN);
    }

    private static final String STARTUP_BUFFER = "startup";

    private static List<ILoggingEvent> startupLines(LoggerContext ctx) {
        var a = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(STARTUP_BUFFER);
        return a instanceof ListAppender<ILoggingEvent> list ? List.copyOf(list.list) : List.of();
    }

    public static void setLevel(String level) {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(Level.toLevel(level, Level.INFO));
    }

    /** Closes and reopens every log file by its name, so logs go to new files after logrotate moved the old. */
    public static void reopen() {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        for (FileAppender<ILoggingEvent> a : fileAppenders(ctx)) {
            try {
                a.openFile(a.getFile()); // closes the old stream; stop()+start() would trip Logback's file-name check
            } catch (java.io.IOException e) {
                LoggerFactory.getLogger(Logging.class).error("cannot reopen {}: {}", a.getFile(), e.toString());
            }
        }
    }

    /** The log files currently open, for status and for taking their ownership before a privilege drop. */
    public static List<Path> files() {
        var ctx = (LoggerContext) LoggerFactory.getILoggerFactory();
        var out = new ArrayList<Path>();
        for (var a : fileAppenders(ctx)) out.add(Path.of(a.getFile()));
        return out;
    }

    private static List<FileAppender<ILoggingEvent>> fileAppenders(LoggerContext ctx) {
        var out = new ArrayList<FileAppender<ILoggingEvent>>();
        for (Logger l : ctx.getLoggerList()) {
            for (var it = l.iteratorForAppenders(); it.hasNext(); ) {
                Appender<ILoggingEvent> a = it.next();
                if (a instanceof FileAppender<ILoggingEvent> f) out.add(f);
            }
        }
        return out;
    }

    private static void quiet(LoggerContext ctx, String name, Level level) {
        ctx.getLogger(name).setLevel(level);
    }

    private static ConsoleAppender<ILoggingEvent> console(LoggerContext ctx) {
        var a = new ConsoleAppender<ILoggingEvent>();
        a.setContext(ctx);
        a.setName("stderr");
        a.setTarget("System.err");
        a.setEncoder(encoder(ctx, PATTERN));
        a.start();
        return a;
    }

    private static FileAppender<ILoggingEvent> file(
            LoggerContext ctx, Path dir, String file, String pattern, boolean rotate) {
        FileAppender<ILoggingEvent> a = rotate ? rolling(ctx, dir, file) : new FileAppender<>();
        a.setContext(ctx);
        a.setName(file);
        a.setFile(dir.resolve(file).toString());
        a.setEncoder(encoder(ctx, pattern));
        a.start();
        if (!a.isStarted()) {
            // Logback reports a file it cannot open only to its status list; a daemon without its log must not start
            throw new IllegalStateException("cannot open log file " + dir.resolve(file) + ": " + lastError(ctx)
                    + " (check log.dir: the directory must be writable, on a writable file system with free space)");
        }
        return a;
    }

    private static RollingFileAppender<ILoggingEvent> rolling(LoggerContext ctx, Path dir, String file) {
        var a = new RollingFileAppender<ILoggingEvent>();
        a.setContext(ctx);
        a.setFile(dir.resolve(file).toString());
        var policy = new SizeAndTimeBasedRollingPolicy<ILoggingEvent>();
        policy.setContext(ctx);
        policy.setParent(a);
        String base = file.substring(0, file.lastIndexOf('.'));
        policy.setFileNamePattern(
                dir.resolve(base + ".%d{yyyy-MM-dd}.%i.log.gz").toString());
        policy.setMaxFileSize(FileSize.valueOf("100MB"));
        policy.setMaxHistory(14);
        policy.setTotalSizeCap(FileSize.valueOf("2GB"));
        policy.start();
        a.setRollingPolicy(policy);
        return a;
    }

    private static String lastError(LoggerContext ctx) {
        var statuses = ctx.getStatusManager().getCopyOfStatusList();
        for (int i = statuses.size() - 1; i >= 0; i--) {
            var s = statuses.get(i);
            if (s.getLevel() == ch.qos.logback.core.status.Status.ERROR) {
                Throwable t = s.getThrowable();
                while (t != null && t.getCause() != null) t = t.getCause();
                return t != null && t.getMessage() != null ? t.getMessage() : s.getMessage();
            }
        }
        return "unknown error";
    }

    private static PatternLayoutEncoder encoder(LoggerContext ctx, String pattern) {
        var e = new PatternLayoutEncoder();
        e.setContext(ctx);
        e.setPattern(pattern);
        e.start();
        return e;
    }
}
