package io.ingestd.stream;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/** Records bound to H2 (in memory, in this process) read back as the same records: bind, read and DDL agree. */
class RowBinderTest {
    static final Stream S = RecordsArbitraries.STREAM;
    /** One in-memory database for all tries; it goes with the test JVM. */
    static final Connection db = open();

    static Connection open() {
        try {
            var c = DriverManager.getConnection("jdbc:h2:mem:rowbinder;DB_CLOSE_DELAY=-1");
            try (var st = c.createStatement()) {
                st.execute("CREATE TABLE r (seq INT PRIMARY KEY, " + RowBinder.columnDefinitions(S, Dialect.H2) + ")");
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<String> messages() {
        return RecordsArbitraries.message();
    }

    @Property(tries = 200)
    void whatIsBoundReadsBackTheSame(@ForAll("messages") String csv) throws SQLException {
        var batch = Streams.ok(S, csv);
        try (var st = db.createStatement()) {
            st.execute("DELETE FROM r");
        }
        try (var ps = db.prepareStatement("INSERT INTO r VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (int i = 0; i < batch.size(); i++) {
                ps.setInt(1, i);
                RowBinder.bind(ps, 2, batch, i, Dialect.H2);
                ps.addBatch();
            }
            ps.executeBatch();
        }
        var back = S.newBatch(batch.size());
        try (var st = db.createStatement();
                var rs = st.executeQuery("SELECT * FROM r ORDER BY seq")) {
            while (rs.next()) RowBinder.read(rs, 2, back, Dialect.H2);
        }
        assertThat(back.size()).isEqualTo(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            assertThat(back.sameRecord(i, batch, i))
                    .as(RecordsArbitraries.values(batch, i) + " vs " + RecordsArbitraries.values(back, i))
                    .isTrue();
        }
    }

    @Test
    void theColumnsAreDeclaredPerDatabase() {
        assertThat(RowBinder.columnDefinitions(StreamDeclarations.fee("fee", "tcp://*:5555"), Dialect.MARIADB))
                .isEqualTo("`ticket` BIGINT NOT NULL, `login` BIGINT NOT NULL, `volume` DECIMAL(18,4) NOT NULL");
        assertThat(RowBinder.columnDefinitions(Streams.stream("t:timestamp?, d:date"), Dialect.POSTGRESQL))
                .isEqualTo("\"t\" TIMESTAMPTZ, \"d\" DATE NOT NULL");
        // quoted for reserved words (day, time, key), in the case each database gives unquoted names
        assertThat(Dialect.H2.quote("Time")).isEqualTo("\"TIME\"");
        assertThat(Dialect.POSTGRESQL.quote("Time")).isEqualTo("\"time\"");
        assertThat(Dialect.MARIADB.quote("key")).isEqualTo("`key`");
    }
}
