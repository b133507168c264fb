package org.reportorchestrator.jdbc;

import java.util.UUID;

/** Table prefixes that keep tests sharing one database apart. */
public final class TablePrefixes {

  private TablePrefixes() {}

  /** A table prefix no other test uses. */
  public static String unique() {
    return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12) + "_";
  }
}
