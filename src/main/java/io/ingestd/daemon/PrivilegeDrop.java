package io.ingestd.daemon;

import io.ingestd.posix.Posix;
import io.ingestd.posix.UserDb;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Becomes the configured user for good: supplementary groups, then gid, then uid (the seed called setuid first,
 * after which setgid can no longer work), then no-new-privileges; glibc applies each to every thread. Then checks
 * every thread in /proc rather than trusting that it happened.
 */
public final class PrivilegeDrop {
    private PrivilegeDrop() {}

    /** Who to become. */
    @SuppressWarnings("ArrayRecordComponent") // read once by apply(), never compared
    public record Identity(String user, int uid, int gid, int[] groups) {}

    /**
     * Looks the user and group up. Without a group, the user's primary group and its supplementary groups; with
     * a group, that group alone (the operator chose it, so the user's other groups are not carried along).
     */
    public static Identity resolve(String user, @Nullable String group) {
        var pw = UserDb.user(user)
                .orElseThrow(() -> new IllegalArgumentException("user \"" + user + "\" does not exist (key: user)"));
        if (group == null || group.isEmpty()) {
            return new Identity(pw.name(), pw.uid(), pw.gid(), UserDb.groupsOf(pw.name(), pw.gid()));
        }
        int gid = UserDb.group(group)
                .orElseThrow(() -> new IllegalArgumentException("group \"" + group + "\" does not exist (key: group)"));
        return new Identity(pw.name(), pw.uid(), gid, new int[] {gid});
    }

    public static void apply(Identity id) {
        Posix.setgroups(id.groups());
        Posix.setgid(id.gid());
        Posix.setuid(id.uid());
        Posix.setNoNewPrivileges();
    }

    /** Every thread must have the new uid and gid (real, effective, saved, fs) and exactly the new groups. */
    public static void verifyAllThreads(Identity id) {
        String uids = (id.uid() + "\t").repeat(4).trim();
        String gids = (id.gid() + "\t").repeat(4).trim();
        String groups = Arrays.stream(id.groups())
                .distinct()
                .sorted()
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(" "));
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : tasks.toList()) {
                String uid = null, gid = null, grp = null;
                for (String line : Files.readAllLines(task.resolve("status"))) {
                    if (line.startsWith("Uid:")) uid = line.substring(4).trim();
                    else if (line.startsWith("Gid:")) gid = line.substring(4).trim();
                    else if (line.startsWith("Groups:")) grp = sortedGroups(line.substring(7));
                }
                if (!uids.equals(uid) || !gids.equals(gid) || !groups.equals(grp)) {
                    throw new IllegalStateException("thread " + task.getFileName() + " is still privileged: Uid "
                            + uid + ", Gid " + gid + ", Groups " + grp + " (expected uid " + id.uid() + ", gid "
                            + id.gid() + ", groups " + groups + ")");
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot verify the privilege drop in /proc/self/task: " + e, e);
        }
    }

    private static String sortedGroups(String s) {
        return Arrays.stream(s.trim().split("\\s+"))
                .filter(x -> !x.isEmpty())
                .mapToInt(Integer::parseInt)
                .distinct()
                .sorted()
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(" "));
    }
}
