package io.ingestd.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;

/**
 * Lets a restart skip Flyway when nothing Flyway looks at has changed since it last ran to the end: a digest of the
 * migration scripts this build carries and of every row of the schema history table, kept in the data directory
 * ({@value #FILE}). Equal digests mean the same scripts against the same history, so Flyway would find nothing to
 * apply and nothing to refuse; any difference (a new release's script, a history row changed by hand or by another
 * node, another database with another history) runs Flyway as on a first start. Flyway's start-up and validation
 * are the longest step of a restart on H2 (about 150 ms); this check is one query.
 */
final class SchemaFingerprint {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SchemaFingerprint.class);
    static final String FILE = "schema-validated";

    private SchemaFingerprint() {}

    /** The digest of the dialect's scripts and of the history table's rows, in hex. */
    static String of(Connection c, Dialect dialect, String table, String history) throws SQLException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-256 in this Java runtime", e);
        }
        field(md, table);
        for (String script : dialect.scripts) {
            field(md, script);
            md.update(resource(script));
        }
        field(md, history);
        try (var st = c.createStatement();
                var rs = st.executeQuery("SELECT * FROM " + SchemaHistory.quote(c, history) + " ORDER BY 1")) {
            // every column but when and how long a migration ran, which says nothing about what it did
            var meta = rs.getMetaData();
            var columns = new java.util.ArrayList<Integer>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                String label = meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT);
                if (!label.equals("installed_on") && !label.equals("execution_time")) columns.add(i);
            }
            while (rs.next()) {
                for (int i : columns) field(md, String.valueOf(rs.getString(i)));
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Whether the data directory holds this digest, from the last start on which Flyway ran to the end. */
    static boolean matches(Path dataDir, String fingerprint) {
        try {
            return Files.readString(dataDir.resolve(FILE), StandardCharsets.UTF_8)
                    .strip()
                    .equals(fingerprint);
        } catch (IOException e) {
            return false; // none yet (a first start), or unreadable: Flyway runs and writes it again
        }
    }

    /** Keeps the digest for the next start; a failure is logged and only costs that start Flyway's run. */
    static void save(Path dataDir, String fingerprint) {
        Path file = dataDir.resolve(FILE);
        try {
            Path tmp = dataDir.resolve(FILE + ".tmp");
            Files.writeString(tmp, fingerprint + "\n", StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("cannot write {} ({}): the next start validates the schema with Flyway again", file, e.toString());
        }
    }

    private static void field(MessageDigest md, String value) {
        md.update(value.getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
    }

    private static byte[] resource(String name) {
        try (InputStream in = SchemaFingerprint.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null)
                throw new IllegalStateException("migration script " + name + " missing from the class path");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read migration script " + name, e);
        }
    }
}
