package io.ingestd.cli;

import io.ingestd.ExitCode;
import org.zeromq.ZCert;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;

/** {@code ingestd keygen NAME}: a CURVE key pair as ZeroMQ certificate files (the CZMQ zcert / pyzmq format). */
@Command(
        name = "keygen",
        description = {
            "Write a CURVE key pair: NAME.key (public) and NAME.key_secret (mode 0600).",
            "Prints the public key. The files are ZeroMQ certificates, as CZMQ's zcert and pyzmq's zmq.auth read them."
        })
final class KeygenCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "NAME",
            description = "name of the key pair (e.g. server, or a client's host name)")
    String name;

    @Option(names = "--dir", defaultValue = ".", description = "directory to write to (default: the current one)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (!name.matches("[A-Za-z0-9._-]+")) {
            spec.commandLine().getErr().println("ingestd: key name '" + name + "' must be letters, digits, . _ - only");
            return ExitCode.USAGE.code();
        }
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            spec.commandLine()
                    .getErr()
                    .println(
                            "ingestd: keygen --dir " + dir + ": cannot create it: " + io.ingestd.config.IoReason.of(e));
            return ExitCode.FAILED.code();
        }
        Path pub = dir.resolve(name + ".key");
        Path sec = dir.resolve(name + ".key_secret");
        // NOFOLLOW: a link planted under either name (even a dangling one) is refused, never written through
        if (Files.exists(pub, LinkOption.NOFOLLOW_LINKS) || Files.exists(sec, LinkOption.NOFOLLOW_LINKS)) {
            spec.commandLine()
                    .getErr()
                    .println("ingestd: " + pub + " or " + sec + " exists already; not overwriting a key");
            return ExitCode.FAILED.code();
        }
        var cert = new ZCert();
        cert.setMeta("name", name);
        // the secret file is created private before any key byte is written into it
        Files.createFile(sec, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        cert.saveSecret(sec.toString());
        Files.setPosixFilePermissions(sec, PosixFilePermissions.fromString("rw-------"));
        // created new (O_EXCL, which does not follow a link) before the key is written into it
        Files.createFile(pub, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        cert.savePublic(pub.toString());
        var out = spec.commandLine().getOut();
        out.println(cert.getPublicKeyAsZ85());
        spec.commandLine()
                .getErr()
                .println("wrote " + pub + " (public, give it to the other side) and " + sec
                        + " (secret, mode 0600, keep it here)");
        return ExitCode.OK.code();
    }
}
