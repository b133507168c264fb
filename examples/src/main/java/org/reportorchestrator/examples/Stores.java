package org.reportorchestrator.examples;

import org.jspecify.annotations.Nullable;
import org.reportorchestrator.jdbc.JdbcJobRepository;

/** Opens the store the quickstart runs on: an H2 file by default, or a database you name. */
final class Stores {

  /** Relative to the folder the command runs in; a second run finds the first run's jobs. */
  static final String DEFAULT_URL = "jdbc:h2:file:./data/quickstart";

  private Stores() {}

  static JdbcJobRepository open(String jdbcUrl, @Nullable String user, @Nullable String password) {
    JdbcJobRepository.Builder builder = JdbcJobRepository.builder().jdbcUrl(jdbcUrl);
    if (user != null) {
      builder.username(user);
    }
    if (password != null) {
      builder.password(password);
    }
    return builder.build();
  }

  static String describe(JdbcJobRepository store, String jdbcUrl) {
    return store.dialect() == JdbcJobRepository.Dialect.H2 && jdbcUrl.startsWith("jdbc:h2:file:")
        ? "H2 file database "
            + jdbcUrl.substring("jdbc:h2:file:".length())
            + ".mv.db; run again to see it grow"
        : store.dialect() + " at " + jdbcUrl;
  }
}
