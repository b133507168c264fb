package org.reportorchestrator.examples;

import java.time.YearMonth;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.reportorchestrator.ReportContext;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.ReportTask;

/**
 * Aggregates sales month by month into a CSV, reporting progress after each month. The sleep stands
 * in for the slow query a real report would run.
 */
public final class SalesSummaryTask implements ReportTask {

  private final long millisPerMonth;

  public SalesSummaryTask(long millisPerMonth) {
    this.millisPerMonth = millisPerMonth;
  }

  @Override
  public ReportResult run(ReportContext context) throws InterruptedException {
    YearMonth first = YearMonth.parse(context.parameter("from"));
    int months = context.intParameter("months");
    StringBuilder csv = new StringBuilder("month,revenue\n");
    for (int i = 0; i < months; i++) {
      context.throwIfCancellationRequested();
      TimeUnit.MILLISECONDS.sleep(millisPerMonth);
      YearMonth month = first.plusMonths(i);
      csv.append(month)
          .append(',')
          .append(ThreadLocalRandom.current().nextInt(10_000, 99_999))
          .append('\n');
      context.progress((i + 1) * 100 / months, "aggregated " + month);
    }
    return ReportResult.ofText(csv.toString(), "text/csv")
        .withFileName("sales-" + first + ".csv")
        .withMetadata("rows", Integer.toString(months));
  }
}
