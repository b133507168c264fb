package org.reportorchestrator.jdbc;

/**
 * Builds a store from the JDBC URL in {@code args[0]} and prints what came of it: {@code built}, or
 * the exception's class and message on one line each. Run by {@link JdbcUrlProblemsTest} in a JVM
 * whose classpath lacks a driver.
 */
final class BuildStoreMain {

  private BuildStoreMain() {}

  @SuppressForbidden // the parent process reads the outcome from standard output
  public static void main(String[] args) {
    try (JdbcJobRepository store = JdbcJobRepository.builder().jdbcUrl(args[0]).build()) {
      System.out.println("built " + store);
    } catch (RuntimeException e) {
      System.out.println(e.getClass().getName());
      System.out.println(e.getMessage());
    }
  }
}
