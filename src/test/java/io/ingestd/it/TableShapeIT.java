package io.ingestd.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.sql.SQLException;

/** A table ingestd did not create, or one a DBA changed, is refused at start with the real cause, and nothing is left behind. */
class TableShapeIT {
    @TempDir
    Path dir;

    Ingestd ingestd;

    @AfterEach
    void stop() {
        if (ingestd != null) ingestd.cleanUp();
    }

    @ParameterizedTest
    @EnumSource(TestDatabases.class)
    void aForeignTableIsRefusedAlikeAtEveryStartAndATableThatWouldRoundVolumesIsRefused(TestDatabases db)
            throws Exception {
        String url = db.create(dir);
        exec(
                url,
                "CREATE TABLE fee (ticket INT NOT NULL, login INT NOT NULL, volume DOUBLE PRECISION NOT NULL, status CHAR(1))");
        ingestd = new Ingestd(dir.resolve("a"), url);
        for (int attempt = 1; attempt <= 2; attempt++) {
            var refused = ingestd.start();
            assertThat(refused.exitCode()).as(refused.all()).isEqualTo(152);
            assertThat(refused.err())
                    .as("attempt " + attempt)
                    .contains("table 'fee' already exists and was not created by ingestd", "column ticket is INT")
                    .doesNotContain("check db.url");
        }
        assertThat(tables(url))
                .as("the database as it was: no history left behind")
                .containsExactly("fee");

        ingestd.set("db.table", "fee2").startOk();
        assertThat(ingestd.stop().exitCode()).isZero();
        exec(
                url,
                db == TestDatabases.MARIADB
                        ? "ALTER TABLE fee2 MODIFY volume DECIMAL(18,2) NOT NULL"
                        : "ALTER TABLE fee2 ALTER COLUMN volume SET DATA TYPE DECIMAL(18,2)");
        var refused = ingestd.start();
        assertThat(refused.exitCode()).as(refused.all()).isEqualTo(152);
        assertThat(refused.err())
                .containsPattern(
                        "failed to start \\(database\\): .*table 'fee2' cannot hold what ingestd "
                                + "acknowledges: column volume is (DECIMAL|NUMERIC)\\(18,2\\) NOT NULL, must be DECIMAL\\(18,4\\) NOT NULL");
        System.out.println(db.label() + ": " + refused.err().lines().findFirst().orElseThrow());
    }

    private static void exec(String url, String sql) throws SQLException {
        try (var c = TestDatabases.connect(url);
                var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    /** The tables of the connection's own schema, lower case. */
    private static java.util.List<String> tables(String url) throws SQLException {
        var out = new java.util.ArrayList<String>();
        try (var c = TestDatabases.connect(url);
                var rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), null, new String[] {"TABLE"})) {
            while (rs.next()) out.add(rs.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
        }
        return out;
    }
}
