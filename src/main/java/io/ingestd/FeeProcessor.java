package io.ingestd;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The processing step between storing a record ('N') and marking it done ('Y'). Implementations are found
 * with {@link java.util.ServiceLoader} (a {@code META-INF/services/io.ingestd.FeeProcessor} entry on the class
 * path); without one, records are marked 'Y' with no further work.
 *
 * <p>{@link #process} runs inside the transaction that marks the records 'Y', on the connection given: work done
 * through it commits together with the status change, exactly once, even with several ingestd nodes on one
 * database. Side effects outside the database happen at least once (a crash before the commit repeats them).
 *
 * <p>It must not end that transaction: no commit or rollback (the connection given refuses them), and no DDL
 * (CREATE, ALTER, ...: MariaDB and MySQL commit implicitly before DDL). Ending it would split the processing in
 * two. Create the tables a processor needs beforehand. Within the transaction the records are already marked 'Y'
 * when {@link #process} runs. Any SQL error on the connection rolls the whole transaction back, even if the
 * processor catches it; the records are then processed again later.
 */
public interface FeeProcessor {

    void process(Connection connection, List<Fee> fees) throws SQLException;

    /** False for a processor that needs no records (the default one), saving the read of the claimed rows. */
    default boolean needsRecords() {
        return true;
    }

    /** The processor used when none is installed: marks records 'Y' and does nothing else. */
    FeeProcessor NONE = new FeeProcessor() {
        @Override
        public void process(Connection connection, List<Fee> fees) {}

        @Override
        public boolean needsRecords() {
            return false;
        }
    };
}
