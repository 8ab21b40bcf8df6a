package io.ingestd.daemon;

import io.ingestd.config.Config;
import io.ingestd.posix.Posix;
import io.ingestd.posix.UserDb;
import org.jspecify.annotations.Nullable;

import java.util.ArrayList;
import java.util.List;

/**
 * Who the daemon becomes, decided before anything is opened. Started as root it never stays root by accident:
 * without {@code user} it becomes {@code ingestd} if that user exists, else {@code nobody} with a warning; only
 * {@code user=root} written out keeps root, with a warning too. Started as another user it stays that user.
 *
 * @param target the identity to drop to, or null when the daemon keeps the one it has
 * @param warnings what the operator should hear about it, on the terminal and in the log
 */
record RunAs(PrivilegeDrop.@Nullable Identity target, List<String> warnings, ControlServer.Access controlAccess) {
    /** The dedicated account the docs and the Debian package name. */
    static final String DEDICATED_USER = "ingestd";

    private static final String NOBODY_RISK = "any other program running as nobody can then read the daemon's files "
            + "and signal it; create a dedicated user (adduser --system --group " + DEDICATED_USER + ") and set user="
            + DEDICATED_USER;

    RunAs {
        warnings = List.copyOf(warnings);
    }

    static RunAs decide(Config config) throws StartupFailure {
        var user = config.runAs().user();
        String self = System.getProperty("user.name");
        if (Posix.geteuid() != 0) {
            var group = config.runAs().group();
            if (group.isPresent() && UserDb.group(group.get()).isEmpty()) {
                throw new StartupFailure(
                        Phase.PRIVILEGES,
                        "privilege drop failed: group \"" + group.get() + "\" does not exist (key: group)");
            }
            if (user.isPresent()) {
                var id = resolve(user.get(), config);
                if (id.uid() != Posix.geteuid()) {
                    throw new StartupFailure(
                            Phase.PRIVILEGES,
                            "cannot switch to user " + id.user() + ": ingestd runs as uid " + Posix.geteuid()
                                    + ", not root (start it as root, or remove the user key)");
                }
            }
            // started by its own user: that user is the operator, and may do everything over the control socket
            return new RunAs(null, List.of(), new ControlServer.Access(self, true));
        }
        var warnings = new ArrayList<String>();
        String name;
        if (user.isEmpty()) {
            if (UserDb.user(DEDICATED_USER).isPresent()) {
                name = DEDICATED_USER;
            } else {
                name = "nobody";
                warnings.add("user is not set and there is no user " + DEDICATED_USER + ": running as nobody; "
                        + NOBODY_RISK);
            }
        } else {
            name = user.get();
        }
        var id = resolve(name, config);
        if (id.uid() == 0) {
            warnings.add("running as root (user=" + name + "): a flaw in ingestd or a processor would own the "
                    + "machine; create a dedicated user (adduser --system --group " + DEDICATED_USER + ") and set user="
                    + DEDICATED_USER);
            return new RunAs(null, warnings, new ControlServer.Access("root", true));
        }
        if (user.isPresent() && id.user().equals("nobody")) warnings.add("running as nobody: " + NOBODY_RISK);
        return new RunAs(id, warnings, new ControlServer.Access(id.user(), false));
    }

    private static PrivilegeDrop.Identity resolve(String user, Config config) throws StartupFailure {
        try {
            return PrivilegeDrop.resolve(user, config.runAs().group().orElse(null));
        } catch (IllegalArgumentException e) {
            throw new StartupFailure(Phase.PRIVILEGES, "privilege drop failed: " + e.getMessage(), e);
        }
    }
}
