package io.ingestd.bench;

import org.zeromq.SocketType;
import org.zeromq.ZContext;
import org.zeromq.ZMQ;
import org.zeromq.ZMsg;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The simplest correct server, a reference for the benchmark: one thread owns a ROUTER, takes every message waiting
 * (up to {@value #MAX_MESSAGES}), writes all their records in one multi-row {@code INSERT IGNORE}, commits, then
 * answers {@code TRUE} to each. No hand-off between threads, no spool, no processing and no validation: it trusts
 * the {@code ticket,login,volume} lines of {@code ingestd bench}. A database error ends it, so nothing uncommitted is
 * ever answered {@code TRUE}. {@code bench/run} measures it with the same client as the daemon, on the same database.
 * Arguments: endpoint, the most seconds to run, JDBC URL, table (default {@code fee}).
 */
public final class SimplestServer {
    private static final byte[] TRUE = "TRUE".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_MESSAGES = 4096;

    private SimplestServer() {}

    public static void main(String[] args) throws SQLException {
        if (args.length < 3) {
            System.err.println("usage: SimplestServer ENDPOINT MAX-SECONDS JDBC-URL [TABLE]");
            System.exit(2);
        }
        String endpoint = args[0];
        long maxSeconds = Long.parseLong(args[1]);
        String url = args[2];
        String table = args.length > 3 ? args[3] : "fee";
        long deadline = System.nanoTime() + maxSeconds * 1_000_000_000L;
        try (var context = new ZContext(1);
                Connection db = DriverManager.getConnection(url)) {
            db.setAutoCommit(false);
            ZMQ.Socket router = context.createSocket(SocketType.ROUTER);
            router.setLinger(0);
            router.setRcvHWM(10_000);
            router.setSndHWM(100_000);
            router.setReceiveTimeOut(1000);
            router.bind(endpoint);
            System.out.println("ready " + endpoint);
            System.out.flush();
            var batch = new ArrayList<ZMsg>(MAX_MESSAGES);
            var bodies = new ArrayList<String>(MAX_MESSAGES);
            while (System.nanoTime() < deadline) {
                ZMsg first = ZMsg.recvMsg(router);
                if (first == null) continue; // receive timeout: look at the deadline again
                batch.add(first);
                while (batch.size() < MAX_MESSAGES) {
                    ZMsg next = ZMsg.recvMsg(router, ZMQ.DONTWAIT);
                    if (next == null) break;
                    batch.add(next);
                }
                for (ZMsg m : batch) bodies.add(new String(m.removeLast().getData(), StandardCharsets.US_ASCII));
                insert(db, table, bodies);
                db.commit();
                for (ZMsg m : batch) {
                    m.add(TRUE); // the envelope (routing id, tags, delimiter) goes back unchanged
                    m.send(router);
                }
                batch.clear();
                bodies.clear();
            }
        }
    }

    /** All the records of all the bodies in one statement. */
    private static void insert(Connection db, String table, List<String> bodies) throws SQLException {
        int rows = 0;
        for (String b : bodies) rows += lines(b);
        if (rows == 0) return;
        var sql = new StringBuilder(40 + rows * 8)
                .append("INSERT IGNORE INTO ")
                .append(table)
                .append(" (ticket, login, volume) VALUES ");
        for (int i = 0; i < rows; i++) sql.append(i == 0 ? "(?,?,?)" : ",(?,?,?)");
        try (PreparedStatement st = db.prepareStatement(sql.toString())) {
            int p = 1;
            for (String b : bodies) {
                for (int start = 0; start < b.length(); ) {
                    int end = b.indexOf('\n', start);
                    if (end < 0) end = b.length();
                    if (end > start) {
                        int c1 = b.indexOf(',', start);
                        int c2 = b.indexOf(',', c1 + 1);
                        st.setLong(p++, Long.parseLong(b, start, c1, 10));
                        st.setLong(p++, Long.parseLong(b, c1 + 1, c2, 10));
                        st.setBigDecimal(p++, new BigDecimal(b.substring(c2 + 1, end)));
                    }
                    start = end + 1;
                }
            }
            st.executeUpdate();
        }
    }

    /** The number of non-empty lines: records, the last one with or without its newline. */
    private static int lines(String body) {
        int n = 0;
        for (int start = 0; start < body.length(); ) {
            int end = body.indexOf('\n', start);
            if (end < 0) end = body.length();
            if (end > start) n++;
            start = end + 1;
        }
        return n;
    }
}
