package io.ingestd.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What /proc says about a process, as an operator would check it. */
public final class Proc {
    private final int pid;

    public Proc(int pid) {
        this.pid = pid;
    }

    /** The fields of /proc/PID/stat after "(comm)", so index 0 is field 3 (state). */
    public String[] stat() throws IOException {
        String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
        return s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
    }

    public int session() throws IOException {
        return Integer.parseInt(stat()[3]);
    }

    public int ttyNr() throws IOException {
        return Integer.parseInt(stat()[4]);
    }

    public String cwd() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/" + pid + "/cwd")).toString();
    }

    public Optional<String> fd(int n) {
        try {
            return Optional.of(
                    Files.readSymbolicLink(Path.of("/proc/" + pid + "/fd/" + n)).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    public List<String> fds() throws IOException {
        var out = new ArrayList<String>();
        try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            for (Path p : fds.toList()) {
                try {
                    out.add(Files.readSymbolicLink(p).toString());
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        return out;
    }

    public String status(String field) throws IOException {
        return status(Path.of("/proc/" + pid + "/status"), field);
    }

    public static String status(Path statusFile, String field) throws IOException {
        for (String line : Files.readAllLines(statusFile)) {
            if (line.startsWith(field + ":"))
                return line.substring(field.length() + 1).trim();
        }
        return null;
    }

    public List<Path> tasks() throws IOException {
        try (var t = Files.list(Path.of("/proc/" + pid + "/task"))) {
            return t.map(p -> p.resolve("status")).toList();
        }
    }

    public String environ() throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8)
                .replace('\0', '\n');
    }

    public String cmdline() throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    /** The pid holding a POSIX lock on the file, from /proc/locks. */
    public static Optional<Integer> lockHolder(Path file) throws IOException {
        long ino = (Long) Files.getAttribute(file, "unix:ino");
        for (String line : Files.readAllLines(Path.of("/proc/locks"))) {
            if (line.contains("->")) continue;
            String[] f = line.trim().split("\\s+", -1);
            if (f.length > 5 && f[5].endsWith(":" + ino)) return Optional.of(Integer.parseInt(f[4]));
        }
        return Optional.empty();
    }
}
