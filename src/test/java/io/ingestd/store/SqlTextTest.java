package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The exact SQL each dialect gets: a change here is a change of what runs on the customer's database. */
class SqlTextTest {
    @Test
    void eachUrlPrefixPicksItsDialect() {
        assertThat(Dialect.of("jdbc:mariadb://h/db")).isEqualTo(Dialect.MARIADB);
        assertThat(Dialect.of("jdbc:postgresql://h/db")).isEqualTo(Dialect.POSTGRESQL);
        assertThat(Dialect.of("jdbc:h2:mem:x")).isEqualTo(Dialect.H2);
    }

    @Test
    void insertIgnoreOnMariaDb() {
        assertThat(Dialect.MARIADB.insertIgnore("fee", 2, false, 7))
                .isEqualTo("INSERT IGNORE INTO fee (ticket, login, volume, claim) VALUES (?,?,?,7),(?,?,?,7)");
        assertThat(Dialect.MARIADB.insertIgnore("fee", 2, true, 7))
                .isEqualTo("INSERT IGNORE INTO fee (ticket, login, volume, claim, status, processed_at) VALUES "
                        + "(?,?,?,7,'Y',CURRENT_TIMESTAMP(3)),(?,?,?,7,'Y',CURRENT_TIMESTAMP(3))");
    }

    @Test
    void insertIgnoreOnPostgreSql() {
        assertThat(Dialect.POSTGRESQL.insertIgnore("fee", 2, false, 7))
                .isEqualTo("INSERT INTO fee (ticket, login, volume, claim) VALUES (?,?,?,7),(?,?,?,7) "
                        + "ON CONFLICT (ticket) DO NOTHING");
        assertThat(Dialect.POSTGRESQL.insertIgnore("fee", 1, true, 7))
                .isEqualTo("INSERT INTO fee (ticket, login, volume, claim, status, processed_at) VALUES "
                        + "(?,?,?,7,'Y',CURRENT_TIMESTAMP) ON CONFLICT (ticket) DO NOTHING");
    }

    @Test
    void insertIgnoreOnH2() {
        assertThat(Dialect.H2.insertIgnore("fee", 2, false, 7))
                .isEqualTo(
                        "MERGE INTO fee t USING (VALUES (CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS DECIMAL(18,4))),"
                                + "(?,?,?)) s(ticket, login, volume) ON t.ticket = s.ticket WHEN NOT MATCHED THEN INSERT "
                                + "(ticket, login, volume, claim) VALUES (s.ticket, s.login, s.volume,7)");
        assertThat(Dialect.H2.insertIgnore("fee", 1, true, 7))
                .isEqualTo(
                        "MERGE INTO fee t USING (VALUES (CAST(? AS BIGINT),CAST(? AS BIGINT),CAST(? AS DECIMAL(18,4))))"
                                + " s(ticket, login, volume) ON t.ticket = s.ticket WHEN NOT MATCHED THEN INSERT "
                                + "(ticket, login, volume, claim, status, processed_at) VALUES (s.ticket, s.login, s.volume,7,'Y',"
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
    void claimTakesOnlyThisNodesFreshRowsStillNAndSkipsLockedOnes() {
        assertThat(Dialect.MARIADB.secondsAgo(30)).isEqualTo("(CURRENT_TIMESTAMP(3) - INTERVAL '30' SECOND)");
        assertThat(Dialect.POSTGRESQL.secondsAgo(30)).isEqualTo("(CURRENT_TIMESTAMP - INTERVAL '30' SECOND)");
        assertThat(Sql.claim("fee", 2, 7, Dialect.H2.secondsAgo(30)))
                .isEqualTo("SELECT ticket, login, volume FROM fee WHERE ticket IN (?,?) AND status = 'N' AND claim = 7 "
                        + "AND claimed_at > (CURRENT_TIMESTAMP - INTERVAL '30' SECOND) FOR UPDATE SKIP LOCKED");
        assertThat(Sql.claimOwn("fee", 5000, 7, Dialect.MARIADB.secondsAgo(30)))
                .isEqualTo("SELECT ticket, login, volume FROM fee WHERE status = 'N' AND claim = 7 AND claimed_at > "
                        + "(CURRENT_TIMESTAMP(3) - INTERVAL '30' SECOND) LIMIT 5000 FOR UPDATE SKIP LOCKED");
        assertThat(Sql.takeOver("fee", 2, 7, Dialect.MARIADB.now()))
                .isEqualTo(
                        "UPDATE fee SET claim = 7, claimed_at = CURRENT_TIMESTAMP(3) WHERE ticket IN (?,?) AND status = 'N'");
        assertThat(Sql.selectByTickets("fee", 1))
                .isEqualTo("SELECT ticket, login, volume FROM fee WHERE ticket IN (?)");
    }
}
