package io.ingestd.it.processor;

import io.ingestd.Fee;
import io.ingestd.FeeProcessor;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A processing step for tests: writes one journal row per processed record, in the transaction that marks it
 * 'Y'. The journal shows how often each record was processed (it has no key, so a second time would show).
 * The test creates the table first: DDL here would commit the claim away (see {@link FeeProcessor}).
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
    }
}
