package org.reportorchestrator.jdbc.processes;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} whose statements and commits fail now and then as a dropped connection
 * would, with SQLState {@value #CONNECTION_FAILURE}: of the calls it picks, half fail before
 * reaching the database, and half after it, so that the work (an autocommit statement, a commit) is
 * done while the caller sees a failure. Dynamic proxies over the real objects; the choices come
 * from one seeded {@link Random}. Thread-safe.
 */
final class FlakyDataSource {

  static final String CONNECTION_FAILURE = "08006";

  private static final Set<String> EXECUTES =
      Set.of(
          "execute",
          "executeQuery",
          "executeUpdate",
          "executeLargeUpdate",
          "executeBatch",
          "executeLargeBatch");

  private final DataSource target;
  private final double failureRate;
  private final Random random;
  private final AtomicBoolean enabled = new AtomicBoolean();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger failedBefore = new AtomicInteger();
  private final AtomicInteger failedAfter = new AtomicInteger();

  FlakyDataSource(DataSource target, double failureRate, long seed) {
    this.target = target;
    this.failureRate = failureRate;
    this.random = new Random(seed);
  }

  /** The flaky view; it passes everything through until {@link #enable()}. */
  DataSource dataSource() {
    return proxy(DataSource.class, target, this::onDataSource);
  }

  void enable() {
    enabled.set(true);
  }

  void disable() {
    enabled.set(false);
  }

  /** Statements and commits seen while enabled. */
  int calls() {
    return calls.get();
  }

  /** Failures injected before the call reached the database. */
  int failedBefore() {
    return failedBefore.get();
  }

  /** Failures injected after the call was done in the database. */
  int failedAfter() {
    return failedAfter.get();
  }

  private enum Fault {
    NONE,
    BEFORE,
    AFTER
  }

  private Fault nextFault() {
    if (!enabled.get()) {
      return Fault.NONE;
    }
    calls.incrementAndGet();
    double roll;
    synchronized (random) {
      roll = random.nextDouble();
    }
    if (roll >= failureRate) {
      return Fault.NONE;
    }
    return roll < failureRate / 2 ? Fault.BEFORE : Fault.AFTER;
  }

  private Object onDataSource(Object real, Method method, Object[] args) throws Throwable {
    Object result = invoke(real, method, args);
    return result instanceof Connection connection
        ? proxy(Connection.class, connection, this::onConnection)
        : result;
  }

  private Object onConnection(Object real, Method method, Object[] args) throws Throwable {
    if (method.getName().equals("commit")) {
      return faulty((Connection) real, real, method, args);
    }
    Object result = invoke(real, method, args);
    if (result instanceof Statement statement) {
      @SuppressWarnings("unchecked")
      Class<Statement> type = (Class<Statement>) method.getReturnType();
      return proxy(type, statement, this::onStatement);
    }
    return result;
  }

  private Object onStatement(Object real, Method method, Object[] args) throws Throwable {
    return EXECUTES.contains(method.getName())
        ? faulty(((Statement) real).getConnection(), real, method, args)
        : invoke(real, method, args);
  }

  /**
   * Calls {@code method} on {@code real}, or fails before or after it. Like a connection that
   * dropped, a failure leaves no transaction open: what the transaction did so far is rolled back,
   * except by a commit that went through before the failure.
   */
  private Object faulty(Connection connection, Object real, Method method, Object[] args)
      throws Throwable {
    Fault fault = nextFault();
    if (fault == Fault.BEFORE) {
      failedBefore.incrementAndGet();
      abort(connection);
      throw failure("before");
    }
    Object result = invoke(real, method, args);
    if (fault == Fault.AFTER) {
      failedAfter.incrementAndGet();
      if (result instanceof ResultSet rows) {
        rows.close();
      }
      if (!method.getName().equals("commit")) {
        abort(connection);
      }
      throw failure("after");
    }
    return result;
  }

  private static void abort(Connection connection) throws SQLException {
    if (!connection.getAutoCommit()) {
      connection.rollback();
    }
  }

  private static SQLException failure(String when) {
    return new SQLException(
        "injected connection failure (" + when + " the database did the work)", CONNECTION_FAILURE);
  }

  private static Object invoke(Object real, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(real, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  @FunctionalInterface
  private interface Handler {
    Object handle(Object real, Method method, Object[] args) throws Throwable;
  }

  private static <T> T proxy(Class<T> type, Object real, Handler handler) {
    InvocationHandler invocation = (proxy, method, args) -> handler.handle(real, method, args);
    return type.cast(
        Proxy.newProxyInstance(
            FlakyDataSource.class.getClassLoader(), new Class<?>[] {type}, invocation));
  }
}
