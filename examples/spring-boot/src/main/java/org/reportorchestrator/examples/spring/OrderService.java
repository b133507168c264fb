package org.reportorchestrator.examples.spring;

import java.util.Map;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportRequest;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Takes an order and queues its invoice in one transaction: both are stored or neither is. A second
 * order with the same number fails on the table's key after the invoice job was written, and the
 * rollback takes that job away again. Thread-safe.
 */
@Service
class OrderService {

  private final JdbcTemplate jdbc;
  private final TransactionalReports reports;

  OrderService(JdbcTemplate jdbc, TransactionalReports reports) {
    this.jdbc = jdbc;
    this.reports = reports;
  }

  /**
   * Stores the order and its invoice job.
   *
   * @throws IllegalArgumentException naming the bad field; nothing is stored
   * @throws org.springframework.dao.DuplicateKeyException if the order number is taken; nothing is
   *     stored
   */
  @Transactional
  public PlacedOrder place(Order order) {
    order.check();
    JobId invoice =
        reports.submit(
            ReportRequest.of(InvoiceReport.TYPE, Map.of("orderNumber", order.orderNumber())));
    jdbc.update(
        "INSERT INTO shop_orders (order_number, customer, amount_cents, invoice_job)"
            + " VALUES (?, ?, ?, ?)",
        order.orderNumber(),
        order.customer(),
        order.amountCents(),
        invoice.toString());
    return new PlacedOrder(order.orderNumber(), invoice.toString());
  }

  /** An order as the API takes it. */
  record Order(String orderNumber, String customer, long amountCents) {

    void check() {
      if (orderNumber == null || !orderNumber.matches("[A-Za-z0-9-]{1,40}")) {
        throw new IllegalArgumentException(
            "orderNumber must be 1 to 40 letters, digits or '-': '" + orderNumber + "'");
      }
      if (customer == null || customer.isBlank() || customer.length() > 200) {
        throw new IllegalArgumentException("customer must be 1 to 200 characters");
      }
      if (amountCents <= 0) {
        throw new IllegalArgumentException("amountCents must be positive: " + amountCents);
      }
    }
  }

  /** A stored order and the job that writes its invoice. */
  record PlacedOrder(String orderNumber, String invoiceJob) {}
}
