package org.reportorchestrator.examples.spring;

import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import org.reportorchestrator.NonRetryableException;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.TaskOptions;
import org.springframework.stereotype.Component;

/**
 * A report for {@code POST /reports/sales-summary} with {@code {"month": "2026-10"}}: a CSV of the
 * month's days and made-up sales figures, the same for the same month. Stateless, so thread-safe.
 */
@Component
class SalesSummaryReport implements NamedReportTask {

  static final String TYPE = "sales-summary";

  @Override
  public String reportType() {
    return TYPE;
  }

  /** A request without a month is refused at submit (400), not failed when it runs. */
  @Override
  public TaskOptions options() {
    return TaskOptions.DEFAULTS.withRequiredParameters("month");
  }

  @Override
  public ReportResult run(ReportContext context) {
    String monthText = context.parameter("month");
    YearMonth month;
    try {
      month = YearMonth.parse(monthText);
    } catch (DateTimeParseException e) {
      throw new NonRetryableException("month must look like 2026-10: '" + monthText + "'", e);
    }
    StringBuilder csv = new StringBuilder("day,orders,revenue\n");
    for (int day = 1; day <= month.lengthOfMonth(); day++) {
      context.throwIfCancellationRequested();
      int orders = (month.getMonthValue() * 31 + day * 7) % 50 + 10;
      csv.append(month.atDay(day)).append(',').append(orders).append(',');
      csv.append(orders * 42).append('\n');
    }
    return ReportResult.ofText(csv.toString(), "text/csv").withFileName("sales-" + month + ".csv");
  }
}
