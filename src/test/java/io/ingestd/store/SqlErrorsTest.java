package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

/** The states and codes the real drivers send (MariaDB Connector/J, pgjdbc, H2, HikariCP), classified. */
class SqlErrorsTest {
    @Test
    void aLostOrRefusedConnectionIsAvailabilityNotData() {
        assertThat(SqlErrors.isAvailability(new SQLNonTransientConnectionException("Connection refused", "08000")))
                .isTrue();
        assertThat(SqlErrors.isAvailability(new SQLException("terminating connection", "57P01")))
                .isTrue();
        assertThat(SqlErrors.isAvailability(
                        new SQLException("The MariaDB server is running with the --read-only " + "option", "25006")))
                .isTrue();
        assertThat(SqlErrors.isAvailability(new SQLTransientConnectionException(
                        "HikariPool-1 - Connection is not available, request timed out after 3000ms.")))
                .isTrue();
    }

    @Test
    void badDataIsDataEvenWhenTheDriverSaysConnection() {
        var duplicate = new SQLNonTransientConnectionException("Duplicate entry '1' for key 'PRIMARY'", "23000");
        assertThat(SqlErrors.isData(duplicate)).isTrue();
        assertThat(SqlErrors.isAvailability(duplicate)).isFalse();
        assertThat(SqlErrors.isData(new SQLException("Out of range value for column 'volume'", "22003")))
                .isTrue();
        assertThat(SqlErrors.isData(new SQLException("Connection refused", "08000")))
                .isFalse();
    }

    @Test
    void galeraCertificationFailuresAndDeadlocksAreConflicts() {
        assertThat(SqlErrors.isConflict(new SQLException("Deadlock found when trying to get lock", "40001", 1213)))
                .isTrue();
        assertThat(SqlErrors.isConflict(new SQLException("Deadlock", "HY000", 1213)))
                .isTrue();
        assertThat(SqlErrors.isConflict(new SQLException("Duplicate entry", "23000", 1062)))
                .isFalse();
    }

    @Test
    void aGaleraNodeOutOfThePrimaryComponentCannotServe() {
        assertThat(SqlErrors.isNodeUnavailable(new SQLException("WSREP has not yet prepared node", "08S01", 1047)))
                .isTrue();
        assertThat(SqlErrors.isNodeUnavailable(new SQLException("Unknown command", "HY000", 1047)))
                .isTrue();
        assertThat(SqlErrors.isNodeUnavailable(new SQLException("syntax error", "42000", 1064)))
                .isFalse();
    }

    @Test
    void aDatabaseThatAnswersNoIsNotUnreachableWhateverWrapsIt() {
        var refused = new SQLException("Access denied for user 'x'", "28000", 1045);
        var wrapped = new SQLTransientConnectionException("Connection is not available", "08001", refused);
        assertThat(SqlErrors.isUnreachable(wrapped)).isFalse();
        assertThat(SqlErrors.isUnreachable(new RuntimeException(new SQLException("Unknown database 'x'", "3D000"))))
                .isFalse();
        assertThat(SqlErrors.isUnreachable(new RuntimeException(
                        new SQLNonTransientConnectionException("Socket fail to connect to 127.0.0.1", "08000"))))
                .isTrue();
        assertThat(SqlErrors.isUnreachable(new IllegalStateException("no SQL in the chain")))
                .isFalse();
    }
}
