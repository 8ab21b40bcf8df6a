package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

class SqlFailureTest {
    @Test
    void describeGivesSqlStateAndTheFirstLineOnly() {
        var e = new SQLException("Duplicate entry '7' for key 'PRIMARY'\nat line 2", "23000");
        assertThat(SqlFailure.describe(e)).isEqualTo("SQLState 23000: Duplicate entry '7' for key 'PRIMARY'");
    }

    @Test
    void describeReplacesThePoolTimeoutByTheLastConnectionFailure() {
        var e = new SQLTransientConnectionException(
                "ingestd - Connection is not available, request timed out after 3000ms",
                "08001",
                new SQLException("wrapped", new ConnectException("Connection refused")));
        assertThat(SqlFailure.describe(e)).isEqualTo("SQLState 08001: no database connection: Connection refused");
        assertThat(SqlFailure.describe(new SQLTransientConnectionException("Connection is not available")))
                .isEqualTo("no database connection (none could be opened in time)");
    }

    @Test
    void describeCutsLongMessages() {
        assertThat(SqlFailure.describe(new SQLException("x".repeat(500))))
                .hasSize(203)
                .endsWith("...");
    }

    @Test
    void describeOfAnUnexpectedExceptionNamesItsType() {
        assertThat(SqlFailure.describe(new IllegalStateException("boom\nmore")))
                .isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(SqlFailure.describe(new SQLException())).isEqualTo("SQLException");
    }

    @Test
    void rootMessageIsTheFirstLineOfTheInnermostCause() {
        var e = new RuntimeException(
                "pool init failed", new SQLException("outer", new ConnectException("  refused\nmore  ")));
        assertThat(SqlFailure.rootMessage(e)).isEqualTo("refused");
        assertThat(SqlFailure.rootMessage(new RuntimeException(new NullPointerException())))
                .isEqualTo("NullPointerException");
    }
}
