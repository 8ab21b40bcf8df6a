package io.ingestd.it.processor;

import io.ingestd.Fee;
import io.ingestd.FeeProcessor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A processing step for tests: writes one journal row per processed record, in the transaction that marks it
 * 'Y'. The journal shows how often each record was processed (it has no key, so a second time would show).
 * The test creates the table first: DDL here would commit the claim away (see {@link FeeProcessor}). If the file
 * {@link #outsideJournal} of the database exists (the test creates it), it also appends each ticket there: an effect
 * outside the database, which shows how often the processor itself ran (a rolled-back run leaves its lines).
 */
public final class JournalingProcessor implements FeeProcessor {
    @Override
    public void process(Connection c, List<Fee> fees) throws SQLException {
        try (var ps = c.prepareStatement("INSERT INTO fee_journal (ticket, amount) VALUES (?, ?)")) {
            for (Fee f : fees) {
                ps.setLong(1, f.ticket());
                ps.setBigDecimal(2, f.volume().multiply(java.math.BigDecimal.valueOf(f.login() % 10 + 1)));
                ps.addBatch();
            }
            ps.executeBatch();
        }
        Path outside = outsideJournal(c.getCatalog());
        if (Files.exists(outside)) {
            var sb = new StringBuilder();
            for (Fee f : fees) sb.append(f.ticket()).append('\n');
            try {
                Files.writeString(outside, sb, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** The outside journal of a database (the daemon runs with a cleared environment: the path is agreed on). */
    public static Path outsideJournal(String database) {
        return Path.of(System.getProperty("java.io.tmpdir"), "ingestd-outside-journal-" + database + ".txt");
    }
}
