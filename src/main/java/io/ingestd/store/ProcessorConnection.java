package io.ingestd.store;

import org.jspecify.annotations.Nullable;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;

/**
 * The connection a {@link io.ingestd.FeeProcessor} is given: the processing transaction's own, with two rules
 * enforced. It cannot end the transaction (commit, rollback, autocommit, close: those would release the claim),
 * and any SQL error on it or its statements is remembered even if the processor catches it, so the stage rolls
 * the whole unit back instead of committing what is left (after a Galera certification abort the next
 * statements would run in a new transaction; after a driver failover, on another node).
 */
final class ProcessorConnection implements InvocationHandler {
    private static final Set<String> FORBIDDEN =
            Set.of("commit", "rollback", "setAutoCommit", "close", "abort", "releaseSavepoint", "setSavepoint");

    private final Connection target;
    private volatile @Nullable SQLException failure;

    private ProcessorConnection(Connection target) {
        this.target = target;
    }

    static ProcessorConnection around(Connection c) {
        return new ProcessorConnection(c);
    }

    Connection connection() {
        return (Connection)
                Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, this);
    }

    /** The first SQL error seen on the connection or its statements, or null. */
    @Nullable
    SQLException failure() {
        return failure;
    }

    @Override
    public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
        if (FORBIDDEN.contains(m.getName())) {
            throw fail(new SQLException(
                    "a FeeProcessor must not end or split the processing transaction (called " + m.getName() + ")",
                    "25000"));
        }
        Object result = call(target, m, args);
        if (result instanceof Statement st) {
            // PreparedStatement and CallableStatement too: the proxy takes every interface of the real statement
            return Proxy.newProxyInstance(
                    Statement.class.getClassLoader(), interfaces(st), (p, sm, sargs) -> call(st, sm, sargs));
        }
        return result;
    }

    private Object call(Object on, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(on, args);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof SQLException sql) throw fail(sql);
            throw e.getCause();
        }
    }

    private SQLException fail(SQLException e) {
        if (failure == null) failure = e;
        return e;
    }

    private static Class<?>[] interfaces(Statement st) {
        if (st instanceof java.sql.CallableStatement) return new Class<?>[] {java.sql.CallableStatement.class};
        if (st instanceof java.sql.PreparedStatement) return new Class<?>[] {java.sql.PreparedStatement.class};
        return new Class<?>[] {Statement.class};
    }
}
