package io.ingestd.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ingestd.it.TcpProxy;
import io.ingestd.it.TestDatabases;
import io.ingestd.metrics.Stats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;

/**
 * The cause of rows marked 'Y' without their journal row on a multi-host URL, on the real driver: Connector/J
 * ({@code sequential:}) swallows a connection failure while it closes a server-side prepared statement and
 * reconnects to the next host inside the same Connection, without an error. The transaction's first half died with
 * the old session; what follows runs on the new one, and a plain commit would keep only that second half.
 * {@link Database#commit} compares the sessions and refuses.
 */
class SessionMoveIT {
    @TempDir
    Path dir;

    @Test
    void aConnectionMovedToAnotherHostInsideATransactionIsNotCommitted() throws Exception {
        String direct = TestDatabases.MARIADB.create(dir);
        String name = direct.replaceAll(".*/([^/?]+)\\?.*", "$1");
        try (var c = DriverManager.getConnection(direct);
                var st = c.createStatement()) {
            st.execute("CREATE TABLE t (a INT PRIMARY KEY)");
        }
        // whether the driver notices the cut while closing statements (and moves silently) depends on when the
        // reset reaches its socket; a try where it noticed nothing proves nothing, so there are up to five
        boolean moved = false;
        for (int attempt = 1; attempt <= 5 && !moved; attempt++) moved = moveAndRefuse(name);
        assertThat(moved)
                .as("the driver moved silently to the next host in one of 5 tries")
                .isTrue();
        try (var c = DriverManager.getConnection(direct);
                var st = c.createStatement();
                var rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
            rs.next();
            assertThat(rs.getLong(1)).as("neither half committed").isZero();
        }
    }

    /** One try: false when the connection did not move (nothing was committed then either). */
    private static boolean moveAndRefuse(String name) throws Exception {
        try (var first = new TcpProxy(3306)) {
            String url = "jdbc:mariadb:sequential://127.0.0.1:" + first.port() + ",127.0.0.1:3306/" + name
                    + "?user=root&useServerPrepStmts=true&cachePrepStmts=false";
            try (var c = DriverManager.getConnection(url)) {
                c.setAutoCommit(false);
                var began = Session.of(c);
                var one = c.prepareStatement("INSERT INTO t VALUES (?)");
                one.setInt(1, 1);
                one.executeUpdate();
                var two = c.prepareStatement("INSERT INTO t VALUES (? + 1)");
                two.setInt(1, 1);
                two.executeUpdate();
                var more = new java.util.ArrayDeque<java.sql.PreparedStatement>();
                for (int i = 0; i < 20; i++) more.add(c.prepareStatement("SELECT ? + " + i));
                first.cut(); // the first host dies after the first half of the transaction
                one.close();
                two.close();
                // closing server-side statements: once the dead socket fails a write, the failure is swallowed and
                // the driver reconnects to 3306, no exception (the first writes after the cut may still succeed)
                await().atMost(Duration.ofSeconds(10))
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> {
                            var next = more.poll();
                            if (next != null) next.close();
                            return !Session.of(c).equals(began) || next == null;
                        });
                if (Session.of(c).equals(began)) {
                    c.rollback();
                    return false;
                }
                try (var st = c.createStatement()) {
                    st.executeUpdate("INSERT INTO t VALUES (3)"); // runs on the new host, in a new transaction
                }
                assertThatThrownBy(() -> Database.commit(c, began, new Stats()))
                        .isInstanceOf(SQLTransientConnectionException.class)
                        .hasMessageContaining("moved");
                c.rollback();
                return true;
            }
        } catch (java.sql.SQLException notMovedButBroken) {
            // the driver reported the cut instead of moving: nothing committed, another try
            return false;
        }
    }
}
