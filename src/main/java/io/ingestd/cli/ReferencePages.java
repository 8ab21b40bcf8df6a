package io.ingestd.cli;

import io.ingestd.ExitCode;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The manual page ingestd(8) (troff) and the bash completion, both generated from the picocli commands at package
 * time ({@code bin/package}), so neither can drift from {@code --help}. Usage: {@code man FILE VERSION DATE} or
 * {@code bash-completion FILE}.
 */
public final class ReferencePages {
    private ReferencePages() {}

    public static void main(String[] args) throws IOException {
        var cl = IngestdCommand.tree(null);
        String text =
                switch (args.length > 1 ? args[0] : "") {
                    case "man" -> manPage(cl, args.length > 2 ? args[2] : "", args.length > 3 ? args[3] : "");
                    case "bash-completion" -> AutoComplete.bash("ingestd", cl);
                    default ->
                        throw new IllegalArgumentException(
                                "usage: ReferencePages man FILE VERSION DATE | bash-completion FILE");
                };
        Files.writeString(Path.of(args[1]), text, StandardCharsets.UTF_8);
    }

    static String manPage(CommandLine root, String version, String date) {
        var spec = root.getCommandSpec();
        var m = new StringBuilder();
        m.append(".TH INGESTD 8 ")
                .append(quoted(date))
                .append(' ')
                .append(quoted("ingestd " + version))
                .append(' ')
                .append(quoted("System Administration"))
                .append('\n');
        m.append(".SH NAME\ningestd \\- ZeroMQ\\-to\\-SQL ingest daemon\n");
        m.append(".SH SYNOPSIS\n.B ingestd\n.I COMMAND\n.RI [ OPTIONS ]\n.br\n.B ingestd\n.RB [ \\-hV ]\n");
        m.append(".SH DESCRIPTION\n");
        paragraphs(m, spec.usageMessage().description());
        m.append(
                ".PP\nEvery command that needs the configuration takes \\fB\\-\\-config\\fR \\fIFILE\\fR and \\fB\\-\\-set\\fR "
                        + "\\fIKEY\\fR=\\fIVALUE\\fR; the installed launcher defaults \\fB\\-\\-config\\fR to the packaged file.\n");
        m.append(".SH COMMANDS\n");
        for (CommandLine sub : new LinkedHashSet<>(root.getSubcommands().values())) {
            var s = sub.getCommandSpec();
            if (s.usageMessage().hidden()) continue;
            m.append(".SS ").append(quoted("ingestd " + s.name())).append('\n');
            paragraphs(m, s.usageMessage().description());
            for (var p : s.positionalParameters()) {
                if (p.hidden()) continue;
                m.append(".TP\n\\fI").append(escape(p.paramLabel())).append("\\fR\n");
                m.append(escape(String.join(" ", p.description()))).append('\n');
            }
            for (OptionSpec o : s.options()) {
                if (o.hidden() || o.usageHelp() || o.versionHelp()) continue;
                m.append(".TP\n").append(optionLabel(o)).append('\n');
                m.append(escape(String.join(" ", o.description()))).append('\n');
            }
        }
        m.append(
                ".SH OPTIONS\n.TP\n\\fB\\-h\\fR, \\fB\\-\\-help\\fR\nShow the usage of ingestd or of one command and exit.\n");
        m.append(".TP\n\\fB\\-V\\fR, \\fB\\-\\-version\\fR\nPrint the version and exit.\n");
        m.append(".SH SIGNALS\n.TP\n.B TERM\ngraceful stop: commit and answer everything taken, then exit\n");
        m.append(".TP\n.B HUP\nreload the configuration\n.TP\n.B USR1\nreopen the log files (for logrotate)\n");
        m.append(".SH ENVIRONMENT\n.TP\n.B INGESTD_CONFIG\nthe default of \\fB\\-\\-config\\fR\n");
        m.append(".TP\n.B INGESTD_JAVA\nthe java binary to run instead of the bundled runtime\n");
        m.append(".TP\n.B INGESTD_JAVA_OPTS\nJVM options (default: a 256 MiB heap)\n");
        m.append(".TP\n.B INGESTD_DB_PASSWORD\nthe database password (preferred: \\fBdb.password.file\\fR)\n");
        m.append(
                ".SH FILES\n.TP\n.I /etc/ingestd/ingestd.properties\nconfiguration (\\fBingestd config\\-keys\\fR lists every key)\n");
        m.append(".TP\n.I /var/lib/ingestd\ndata directory (embedded H2 database)\n");
        m.append(".TP\n.I /var/log/ingestd\nlog directory: ingestd.log, rejects.log\n");
        m.append(".TP\n.I /run/ingestd/ingestd.pid\nPID file; the control socket ingestd.sock lies next to it\n");
        m.append(".SH EXIT STATUS\nstart, stop and status follow the LSB init script conventions.\n");
        exitCodes(m);
        m.append(".SH SEE ALSO\n.BR systemctl (1),\n.BR logrotate (8),\n.I /usr/share/doc/ingestd/README.md.gz\n");
        return m.toString();
    }

    /** From the one table of exit codes (the README's is generated from it too). */
    private static void exitCodes(StringBuilder m) {
        for (String row : ExitCode.markdownTable().lines().toList()) {
            String[] cells = row.split(" \\| ", -1);
            if (cells.length != 3 || !cells[0].matches("\\| \\d+")) continue;
            String meaning = cells[2].substring(0, cells[2].length() - 2);
            m.append(".TP\n.B ")
                    .append(cells[0].substring(2))
                    .append('\n')
                    .append(escape(cells[1]))
                    .append(": ")
                    .append(escape(meaning).replaceAll("`([^`]*)`", "\\\\fB$1\\\\fR"))
                    .append('\n');
        }
    }

    private static String optionLabel(OptionSpec o) {
        var names = new StringBuilder();
        for (String n : o.names()) {
            if (!names.isEmpty()) names.append(", ");
            names.append("\\fB").append(escape(n)).append("\\fR");
        }
        if (o.arity().max() > 0) names.append("=\\fI").append(escape(label(o))).append("\\fR");
        return names.toString();
    }

    private static String label(ArgSpec a) {
        String l = a.paramLabel();
        return l.startsWith("<") && l.endsWith(">")
                ? l.substring(1, l.length() - 1).toUpperCase(Locale.ROOT)
                : l;
    }

    private static void paragraphs(StringBuilder m, String[] lines) {
        for (String para : List.of(String.join("\n", lines).replace("%n", "\n").split("\n"))) {
            if (para.isBlank()) continue;
            m.append(".PP\n").append(escape(para.strip())).append('\n');
        }
    }

    private static String quoted(String s) {
        return "\"" + escape(s).replace("\"", "\\(dq") + "\"";
    }

    /** troff: a backslash is {@code \e}, a minus {@code \-}, and a line must not start with a control character. */
    static String escape(String s) {
        String e = s.replace("\\", "\\e").replace("-", "\\-");
        return e.startsWith(".") || e.startsWith("'") ? "\\&" + e : e;
    }
}
