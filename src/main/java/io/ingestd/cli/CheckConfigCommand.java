package io.ingestd.cli;

import io.ingestd.ExitCode;
import io.ingestd.config.ConfigException;
import io.ingestd.config.ConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code ingestd check-config}: validates a configuration and prints every problem with its key, like nginx -t. */
@Command(name = "check-config", description = "Validate the configuration: keys, values, database, listen address.")
final class CheckConfigCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        var err = spec.commandLine().getErr();
        ConfigLoader.Loaded loaded;
        try {
            loaded = config.load();
        } catch (ConfigException e) {
            e.problems().forEach(p -> err.println("ingestd: " + p));
            err.println("ingestd: configuration test failed (" + e.problems().size() + " problem"
                    + (e.problems().size() == 1 ? "" : "s") + ")");
            return ExitCode.NOT_CONFIGURED.code();
        }
        // the probe may create data.dir and the embedded database: with the daemon's mask, as the daemon would
        io.ingestd.posix.Posix.umask(loaded.config().runAs().umask());
        var problems = new java.util.ArrayList<String>(ConfigProbe.probe(loaded.config()));
        loaded.warnings().forEach(w -> err.println("ingestd: warning: " + w));
        problems.forEach(p -> err.println("ingestd: " + p));
        if (!problems.isEmpty()) {
            err.println("ingestd: configuration test failed (" + problems.size() + " problem"
                    + (problems.size() == 1 ? "" : "s") + ")");
            return ExitCode.NOT_CONFIGURED.code();
        }
        out.println("configuration is ok");
        return ExitCode.OK.code();
    }
}
