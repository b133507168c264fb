package org.reportorchestrator.examples;

import java.util.Set;
import org.reportorchestrator.NonRetryableException;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ReportTask;

/**
 * Exports a warehouse's stock as JSON. Its first attempt fails when asked to (a flaky upstream),
 * and an unknown warehouse fails for good, since no retry can make it exist.
 */
public final class InventoryExportTask implements ReportTask {

  private static final Set<String> WAREHOUSES = Set.of("berlin", "lisbon", "oslo");

  @Override
  public ReportResult run(ReportContext context) {
    String warehouse = context.parameter("warehouse");
    if (!WAREHOUSES.contains(warehouse)) {
      throw new NonRetryableException(
          "unknown warehouse '" + warehouse + "'; known: " + WAREHOUSES);
    }
    boolean flaky = context.optionalParameter("flaky").map(Boolean::parseBoolean).orElse(false);
    if (flaky && context.attempt() == 1) {
      throw new IllegalStateException("stock service timed out (simulated on the first attempt)");
    }
    String json = "{\"warehouse\":\"" + warehouse + "\",\"items\":[{\"sku\":\"A-1\",\"qty\":42}]}";
    return ReportResult.ofText(json, "application/json").withFileName(warehouse + "-stock.json");
  }
}
