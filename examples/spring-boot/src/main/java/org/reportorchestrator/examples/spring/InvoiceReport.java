package org.reportorchestrator.examples.spring;

import java.util.List;
import java.util.Locale;
import org.reportorchestrator.NonRetryableException;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportResult;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The invoice of an order that {@link OrderService} stored, read from the application's table: the
 * job is claimable only once the order's transaction has committed, so the row is there.
 * Thread-safe.
 */
@Component
class InvoiceReport implements NamedReportTask {

  static final String TYPE = "invoice";

  private final JdbcTemplate jdbc;

  InvoiceReport(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public String reportType() {
    return TYPE;
  }

  @Override
  public ReportResult run(ReportContext context) {
    String orderNumber = context.parameter("orderNumber");
    List<String> lines =
        jdbc.query(
            "SELECT customer, amount_cents FROM shop_orders WHERE order_number = ?",
            (row, index) ->
                String.format(
                    Locale.ROOT,
                    "Invoice for order %s%nCustomer: %s%nAmount: %d.%02d%n",
                    orderNumber,
                    row.getString("customer"),
                    row.getLong("amount_cents") / 100,
                    row.getLong("amount_cents") % 100),
            orderNumber);
    if (lines.isEmpty()) {
      throw new NonRetryableException("no order " + orderNumber);
    }
    return ReportResult.ofText(lines.get(0), "text/plain")
        .withFileName("invoice-" + orderNumber + ".txt");
  }
}
