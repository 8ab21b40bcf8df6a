package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/** Started as root with user/group set, the daemon ends up as that user on every thread, for good. */
class PrivilegeDropIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @Test
    void everyThreadRunsAsNobodyWithNoSupplementaryGroupsAndNoNewPrivileges() throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        // H2 in data.dir (db.url empty): the daemon opens its database as nobody, after the drop
        ingestd = Ingestd.on(TestDatabases.H2, dir)
                .set("db.url", "")
                .set("user", "nobody")
                .set("group", "nogroup");
        ingestd.startOk();
        int pid = ingestd.pid();
        var proc = new Proc(pid);
        var tasks = proc.tasks();
        assertThat(tasks).hasSizeGreaterThan(5);
        for (Path task : tasks) {
            assertThat(Proc.status(task, "Uid")).as(task.toString()).isEqualTo("65534\t65534\t65534\t65534");
            assertThat(Proc.status(task, "Gid")).as(task.toString()).isEqualTo("65534\t65534\t65534\t65534");
            assertThat(Proc.status(task, "Groups")).as(task.toString()).isEqualTo("65534");
        }
        assertThat(proc.status("NoNewPrivs")).isEqualTo("1");
        // no capability left in any thread: with no_new_privs, no exec can gain one either (the bounding set is
        // per thread in Linux, and the JVM's own threads exist before main; the systemd unit empties it)
        for (Path task : tasks) {
            for (String set : new String[] {"CapPrm", "CapEff", "CapAmb"}) {
                assertThat(Proc.status(task, set)).as(task + " " + set).isEqualTo("0000000000000000");
            }
        }
        try (var req = new Clients.Req(ingestd.endpoint())) {
            assertThat(req.request("1,2,3")).isEqualTo("TRUE");
        }
        for (Path p :
                new Path[] {ingestd.log(), ingestd.dir.resolve("data"), ingestd.dir.resolve("data/ingestd.sock")}) {
            assertThat(Files.getAttribute(p, "unix:uid")).as(p.toString()).isEqualTo(65534);
        }
        // root made the PID file, and nothing changes its owner: the daemon removes it through its directory
        assertThat(Files.getAttribute(ingestd.pidFile(), "unix:uid")).isEqualTo(0);
        assertThat(ingestd.status().out()).contains("as user nobody");
        var stop = ingestd.stop();
        assertThat(stop.exitCode()).isZero();
        assertThat(ingestd.pidFile()).doesNotExist();
    }
}
