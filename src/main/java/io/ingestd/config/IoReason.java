package io.ingestd.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * Why a file operation failed, in words: the JDK's file exceptions carry only the path as their message
 * ({@code NoSuchFileException: /etc/x}), which printed alone reads "cannot read /etc/x: /etc/x".
 */
public final class IoReason {
    private IoReason() {}

    public static String of(IOException e) {
        String why =
                switch (e) {
                    case NoSuchFileException x -> "no such file or directory";
                    case AccessDeniedException x -> "permission denied";
                    case NotDirectoryException x -> "not a directory";
                    case FileAlreadyExistsException x -> "exists already";
                    case DirectoryNotEmptyException x -> "directory not empty";
                    case FileSystemException x when x.getReason() != null -> x.getReason();
                    // java.io says "PATH (No such file or directory)"
                    case java.io.FileNotFoundException x
                    when x.getMessage() != null && x.getMessage().matches(".*\\(.+\\)$") ->
                        x.getMessage().replaceFirst(".*\\((.)(.*)\\)$", "$1$2").toLowerCase(java.util.Locale.ROOT);
                    default -> e.getMessage() == null ? "input/output error" : e.getMessage();
                };
        return why;
    }

    /** The first line of a throwable's innermost message, without class names; for one-line answers. */
    public static String root(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) r = r.getCause();
        if (r instanceof IOException io && !(r.getMessage() != null && r.getClass() == IOException.class)) {
            String m = of(io);
            if (!m.equals(r.getMessage()) || r.getMessage() == null) return m;
        }
        String m = r.getMessage();
        if (m == null || m.isBlank()) m = t.getMessage();
        if (m == null || m.isBlank()) return words(r.getClass().getSimpleName());
        return m.lines().findFirst().orElse(m);
    }

    /** {@code ConnectException} → "connect exception": a last resort that still shows no Java class name. */
    private static String words(String className) {
        return className
                .replaceAll("(Exception|Error)$", " failure")
                .replaceAll("([a-z])([A-Z])", "$1 $2")
                .toLowerCase(java.util.Locale.ROOT)
                .strip();
    }
}
