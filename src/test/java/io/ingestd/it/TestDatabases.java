package io.ingestd.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A fresh database per test on the real servers of the machine (MariaDB 127.0.0.1:3306 root, PostgreSQL
 * 127.0.0.1:5432 trust) or an embedded H2 file, so integration tests never see each other's rows.
 */
public enum TestDatabases {
    MARIADB,
    POSTGRESQL,
    H2;

    /** Creates a new, empty database and returns its JDBC URL (credentials inside, as the tests need none). */
    public String create(java.nio.file.Path dir) throws SQLException {
        String name = "it_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        return switch (this) {
            case MARIADB -> {
                exec("jdbc:mariadb://127.0.0.1:3306/test?user=root", "CREATE DATABASE " + name);
                yield "jdbc:mariadb://127.0.0.1:3306/" + name + "?user=root";
            }
            case POSTGRESQL -> {
                exec("jdbc:postgresql://127.0.0.1:5432/test?user=postgres", "CREATE DATABASE " + name);
                yield "jdbc:postgresql://127.0.0.1:5432/" + name + "?user=postgres";
            }
            case H2 -> "jdbc:h2:file:" + dir.resolve(name) + ";AUTO_SERVER=TRUE";
        };
    }

    public static Connection connect(String url) throws SQLException {
        return DriverManager.getConnection(url);
    }

    private static void exec(String url, String sql) throws SQLException {
        try (var c = DriverManager.getConnection(url);
                var st = c.createStatement()) {
            st.execute(sql);
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
