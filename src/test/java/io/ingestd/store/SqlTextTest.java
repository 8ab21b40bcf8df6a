package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exact SQL each dialect gets: a change here is a change of what runs on the customer's database. */
class SqlTextTest {
    @Test
    void eachUrlPrefixPicksItsDialect() {
        assertThat(Dialect.of("jdbc:mariadb://h/db")).isEqualTo(Dialect.MARIADB);
        assertThat(Dialect.of("jdbc:mysql://h/db")).isEqualTo(Dialect.MARIADB);
        assertThat(Dialect.of("jdbc:postgresql://h/db")).isEqualTo(Dialect.POSTGRESQL);
        assertThat(Dialect.of("jdbc:h2:mem:x")).isEqualTo(Dialect.H2);
    }

    @Test
    void insertIgnoreOnMariaDb() {
        assertThat(Dialect.MARIADB.insertIgnore("fee", 2, false))
                .isEqualTo("INSERT IGNORE INTO fee (ticket, login, volume) VALUES (?,?,?),(?,?,?)");
        assertThat(Dialect.MARIADB.insertIgnore("fee", 2, true))
                .isEqualTo("INSERT IGNORE INTO fee (ticket, login, volume, status, processed_at) VALUES "
                        + "(?,?,?,'Y',CURRENT_TIMESTAMP(3)),(?,?,?,'Y',CURRENT_TIMESTAMP(3))");
    }

    @Test
    void insertIgnoreOnPostgreSql() {
        assertThat(Dialect.POSTGRESQL.insertIgnore("fee", 2, false))
                .isEqualTo("INSERT INTO fee (ticket, login, volume) VALUES (?,?,?),(?,?,?) ON CONFLICT (ticket) DO NOTHING");
        assertThat(Dialect.POSTGRESQL.insertIgnore("fee", 1, true))
                .isEqualTo("INSERT INTO fee (ticket, login, volume, status, processed_at) VALUES "
                        + "(?,?,?,'Y',CURRENT_TIMESTAMP) ON CONFLICT (ticket) DO NOTHING");
    }

    @Test
    void insertIgnoreOnH2() {
        assertThat(Dialect.H2.insertIgnore("fee", 2, false))
                .isEqualTo("MERGE INTO fee t USING (VALUES (CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS DECIMAL(18,4))),"
                        + "(?,?,?)) s(ticket, login, volume) ON t.ticket = s.ticket WHEN NOT MATCHED THEN INSERT "
                        + "(ticket, login, volume) VALUES (s.ticket, s.login, s.volume)");
        assertThat(Dialect.H2.insertIgnore("fee", 1, true))
                .isEqualTo("MERGE INTO fee t USING (VALUES (CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS DECIMAL(18,4))))"
                        + " s(ticket, login, volume) ON t.ticket = s.ticket WHEN NOT MATCHED THEN INSERT "
                        + "(ticket, login, volume, status, processed_at) VALUES (s.ticket, s.login, s.volume,'Y',"
                        + "CURRENT_TIMESTAMP)");
    }

    @Test
    void onlyMariaDbMarksByRange() {
        assertThat(Dialect.MARIADB.updatesByRange()).isTrue();
        assertThat(Dialect.POSTGRESQL.updatesByRange()).isFalse();
        assertThat(Dialect.H2.updatesByRange()).isFalse();
    }

    @Test
    void markProcessedWithSinglesAndRangesPerDialect() {
        assertThat(Sql.markProcessed("fee", 2, 1, Dialect.MARIADB.now()))
                .isEqualTo("UPDATE fee SET status = 'Y', processed_at = CURRENT_TIMESTAMP(3) WHERE "
                        + "(ticket IN (?,?) OR ticket BETWEEN ? AND ?) AND status = 'N'");
        assertThat(Sql.markProcessed("fee", 0, 2, Dialect.MARIADB.now()))
                .isEqualTo("UPDATE fee SET status = 'Y', processed_at = CURRENT_TIMESTAMP(3) WHERE "
                        + "(ticket BETWEEN ? AND ? OR ticket BETWEEN ? AND ?) AND status = 'N'");
        for (var d : new Dialect[] {Dialect.POSTGRESQL, Dialect.H2}) {
            assertThat(Sql.markProcessed("fee", 3, 0, d.now()))
                    .isEqualTo("UPDATE fee SET status = 'Y', processed_at = CURRENT_TIMESTAMP WHERE "
                            + "(ticket IN (?,?,?)) AND status = 'N'");
        }
    }

    @Test
    void claimLocksOnlyRowsStillNAndSkipsLockedOnes() {
        assertThat(Sql.claim("fee", 2))
                .isEqualTo("SELECT ticket, login, volume FROM fee WHERE ticket IN (?,?) AND status = 'N' FOR UPDATE SKIP LOCKED");
        assertThat(Sql.claimAny("fee", 5000))
                .isEqualTo("SELECT ticket, login, volume FROM fee WHERE status = 'N' LIMIT 5000 FOR UPDATE SKIP LOCKED");
        assertThat(Sql.selectByTickets("fee", 1)).isEqualTo("SELECT ticket, login, volume FROM fee WHERE ticket IN (?)");
    }
}
