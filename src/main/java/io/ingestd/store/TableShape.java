package io.ingestd.store;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the database's catalogue says about ingestd's table and its schema history, read before and after
 * migrating: whether they exist, and whether the table's columns can hold what ingestd acknowledges (a volume
 * DECIMAL(18,4) never rounded, 64-bit tickets and logins, the ticket the primary key). The same JDBC metadata
 * on MariaDB, PostgreSQL and H2.
 */
final class TableShape {
    private TableShape() {}

    /** One column as the catalogue describes it. */
    record Column(String name, int type, String typeName, int size, int scale, boolean nullable) {
        String describe() {
            String t = typeName.toUpperCase(Locale.ROOT);
            if (type == Types.DECIMAL || type == Types.NUMERIC) t += "(" + size + "," + scale + ")";
            return t + (nullable ? " NULL" : " NOT NULL");
        }

        boolean isTimestamp() {
            return type == Types.TIMESTAMP || type == Types.TIMESTAMP_WITH_TIMEZONE;
        }
    }

    /** The actual name (catalogue case) of a table in the connection's own schema, if it exists. */
    static Optional<String> find(Connection c, String table) throws SQLException {
        try (var rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), null, new String[] {"TABLE"})) {
            while (rs.next()) {
                if (rs.getString("TABLE_NAME").equalsIgnoreCase(table)) return Optional.of(rs.getString("TABLE_NAME"));
            }
            return Optional.empty();
        }
    }

    /**
     * What is wrong with the table for ingestd, one line per column ("column volume is DECIMAL(18,2) NOT NULL,
     * must be DECIMAL(18,4) NOT NULL (...)"); empty if it can hold every record ingestd acknowledges.
     */
    static List<String> problems(Connection c, String actualName) throws SQLException {
        DatabaseMetaData md = c.getMetaData();
        var columns = new HashMap<String, Column>();
        try (var rs = md.getColumns(c.getCatalog(), c.getSchema(), escape(md, actualName), null)) {
            while (rs.next()) {
                if (!rs.getString("TABLE_NAME").equals(actualName)) continue;
                var col = new Column(
                        rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT),
                        rs.getInt("DATA_TYPE"),
                        rs.getString("TYPE_NAME"),
                        rs.getInt("COLUMN_SIZE"),
                        rs.getInt("DECIMAL_DIGITS"),
                        "YES".equals(rs.getString("IS_NULLABLE")));
                columns.put(col.name(), col);
            }
        }
        var keys = new ArrayList<String>();
        try (var rs = md.getPrimaryKeys(c.getCatalog(), c.getSchema(), actualName)) {
            while (rs.next()) keys.add(rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
        }
        var out = new ArrayList<String>();
        check(
                out,
                columns,
                "ticket",
                "BIGINT NOT NULL",
                "tickets are 64-bit",
                col -> col.type() == Types.BIGINT && !col.nullable());
        check(
                out,
                columns,
                "login",
                "BIGINT NOT NULL",
                "logins are 64-bit",
                col -> col.type() == Types.BIGINT && !col.nullable());
        check(
                out,
                columns,
                "volume",
                "DECIMAL(18,4) NOT NULL",
                "volumes would be stored rounded or refused",
                col -> (col.type() == Types.DECIMAL || col.type() == Types.NUMERIC)
                        && col.scale() >= 4
                        && col.size() - col.scale() >= 14
                        && !col.nullable());
        check(
                out,
                columns,
                "status",
                "CHAR(1) NOT NULL",
                "it holds 'N' or 'Y'",
                col -> (col.type() == Types.CHAR || col.type() == Types.VARCHAR) && col.size() >= 1 && !col.nullable());
        check(out, columns, "received_at", "a TIMESTAMP NOT NULL", "the time of receipt", col -> col.isTimestamp());
        check(
                out,
                columns,
                "processed_at",
                "a TIMESTAMP NULL",
                "it is NULL until the row is processed",
                col -> col.isTimestamp() && col.nullable());
        if (columns.containsKey("ticket") && !keys.equals(List.of("ticket"))) {
            out.add("its primary key is " + (keys.isEmpty() ? "missing" : "(" + String.join(", ", keys) + ")")
                    + ", must be (ticket) (a ticket is stored once)");
        }
        return out;
    }

    private static void check(
            List<String> out,
            Map<String, Column> columns,
            String name,
            String mustBe,
            String why,
            java.util.function.Predicate<Column> fits) {
        var col = columns.get(name);
        if (col == null) out.add("column " + name + " is missing, must be " + mustBe);
        else if (!fits.test(col))
            out.add("column " + name + " is " + col.describe() + ", must be " + mustBe + " (" + why + ")");
    }

    /** A name as a metadata pattern: '_' and '%' match themselves. */
    private static String escape(DatabaseMetaData md, String name) throws SQLException {
        String esc = md.getSearchStringEscape();
        return esc == null || esc.isEmpty()
                ? name
                : name.replace(esc, esc + esc).replace("_", esc + "_").replace("%", esc + "%");
    }
}
