package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import java.sql.DriverManager;
import java.sql.SQLException;

/** The connection a FeeProcessor gets: it cannot end the transaction, and an error it swallows still fails the unit. */
class ProcessorConnectionTest {
    @Test
    void anErrorTheProcessorCatchesIsStillRemembered() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:h2:mem:pc1")) {
            c.setAutoCommit(false);
            var guarded = ProcessorConnection.around(c);
            try (var ps = guarded.connection().prepareStatement("INSERT INTO no_such_table VALUES (?)")) {
                ps.setInt(1, 1);
                ps.executeUpdate();
            } catch (SQLException swallowed) {
                // a careless processor
            }
            assertThat((Throwable) guarded.failure()).isNotNull().hasMessageContaining("NO_SUCH_TABLE");
        }
    }

    @Test
    void theProcessorCannotCommitOrRollBack() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:h2:mem:pc2")) {
            c.setAutoCommit(false);
            var guarded = ProcessorConnection.around(c);
            assertThatThrownBy(() -> guarded.connection().commit()).hasMessageContaining("must not end");
            assertThatThrownBy(() -> guarded.connection().setAutoCommit(true)).hasMessageContaining("setAutoCommit");
            assertThat((Throwable) guarded.failure()).isNotNull();
            assertThat(c.getAutoCommit()).isFalse();
        }
    }

    @Test
    void workThroughItIsPartOfTheTransaction() throws Exception {
        try (var c = DriverManager.getConnection("jdbc:h2:mem:pc3")) {
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE j (t INT)");
            }
            c.setAutoCommit(false);
            var guarded = ProcessorConnection.around(c);
            try (var st = guarded.connection().createStatement()) {
                assertThat(st.executeUpdate("INSERT INTO j VALUES (1)")).isEqualTo(1);
            }
            c.rollback();
            try (var st = c.createStatement();
                    var rs = st.executeQuery("SELECT COUNT(*) FROM j")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            assertThat((Throwable) guarded.failure()).isNull();
        }
    }
}
