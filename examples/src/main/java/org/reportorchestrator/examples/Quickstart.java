package org.reportorchestrator.examples;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.JobTransition;
import org.reportorchestrator.Progress;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.RetryPolicy;
import org.reportorchestrator.jdbc.JdbcJobRepository;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a handful of reports end to end and tells their story: one succeeds with visible progress,
 * one fails once and then succeeds, one fails for good, one is cancelled while it runs.
 */
@Command(
    name = "quickstart",
    mixinStandardHelpOptions = true,
    description =
        "Submits a few reports to an embedded Report Orchestrator and prints what happens.")
public final class Quickstart implements Callable<Integer> {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT);

  @Option(
      names = "--workers",
      defaultValue = "4",
      description = "worker threads (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(
      names = "--jdbc-url",
      defaultValue = Stores.DEFAULT_URL,
      description = "the database to keep jobs in, H2 or PostgreSQL (default: ${DEFAULT-VALUE})")
  String jdbcUrl;

  @Option(names = "--user", description = "database user, if the URL does not carry one")
  String user;

  @Option(names = "--password", description = "database password, if the URL does not carry one")
  String password;

  private final PrintStream out;

  Quickstart(PrintStream out) {
    this.out = out;
  }

  public static void main(String[] args) {
    Quickstart quickstart =
        new Quickstart(new PrintStream(System.out, true, StandardCharsets.UTF_8));
    System.exit(new CommandLine(quickstart).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    try (JdbcJobRepository repository = Stores.open(jdbcUrl, user, password);
        ReportOrchestrator orchestrator =
            ReportOrchestrator.builder()
                .repository(repository)
                .workerCount(workers)
                .pollInterval(Duration.ofMillis(200))
                .retryPolicy(
                    new RetryPolicy(3, Duration.ofMillis(500), Duration.ofSeconds(5), 2.0, 0.1))
                .register("sales-summary", new SalesSummaryTask(150))
                .register("inventory-export", new InventoryExportTask())
                .listener(this::printTransition)
                .build()) {
      int earlier = countJobs(orchestrator);
      orchestrator.start();

      Map<String, JobId> jobs = new LinkedHashMap<>();
      jobs.put(
          "succeeds with progress",
          orchestrator.submit(
              ReportRequest.builder("sales-summary")
                  .parameter("from", "2026-01")
                  .parameter("months", "10")
                  .build()));
      jobs.put(
          "fails once, then succeeds",
          orchestrator.submit(
              ReportRequest.builder("inventory-export")
                  .parameter("warehouse", "lisbon")
                  .parameter("flaky", "true")
                  .build()));
      jobs.put(
          "fails for good",
          orchestrator.submit(
              ReportRequest.builder("inventory-export")
                  .parameter("warehouse", "atlantis")
                  .build()));
      JobId longReport =
          orchestrator.submit(
              ReportRequest.builder("sales-summary")
                  .parameter("from", "2020-01")
                  .parameter("months", "60")
                  .build());
      jobs.put("cancelled while running", longReport);

      followProgress(orchestrator, jobs.get("succeeds with progress"));
      awaitRunning(orchestrator, longReport);
      CancelOutcome outcome = orchestrator.cancel(longReport);
      out.printf(Locale.ROOT, "%s  cancel(%s) -> %s%n", now(), shortId(longReport), outcome);

      List<JobSnapshot> finished = new ArrayList<>();
      for (JobId id : jobs.values()) {
        finished.add(orchestrator.awaitCompletion(id, Duration.ofMinutes(2)));
      }
      printTable(jobs, finished);
      out.printf(
          Locale.ROOT,
          "%nThe store holds %d jobs, %d of them from earlier runs (%s).%n",
          countJobs(orchestrator),
          earlier,
          Stores.describe(repository, jdbcUrl));
    }
    return 0;
  }

  private static int countJobs(ReportOrchestrator orchestrator) {
    JobQuery pages = JobQuery.all().limit(JobQuery.MAX_LIMIT);
    int count = 0;
    for (List<JobSnapshot> page = orchestrator.query(pages);
        !page.isEmpty();
        page = orchestrator.query(pages.after(page.get(page.size() - 1)))) {
      count += page.size();
    }
    return count;
  }

  private void printTransition(JobTransition t) {
    String from = t.from() == null ? "submitted" : t.from().toString();
    String error = t.error() == null ? "" : "  (" + t.error().message() + ")";
    out.printf(
        Locale.ROOT,
        "%s  %s  %-16s %s -> %s, attempt %d%s%n",
        now(),
        shortId(t.jobId()),
        t.reportType(),
        from,
        t.to(),
        t.attempt(),
        error);
  }

  private void followProgress(ReportOrchestrator orchestrator, JobId id)
      throws InterruptedException {
    Progress last = Progress.NONE;
    while (true) {
      JobSnapshot job = orchestrator.get(id);
      if (!job.progress().equals(last) && job.state() == JobState.RUNNING) {
        last = job.progress();
        out.printf(
            Locale.ROOT,
            "%s  %s  progress %3d%%  %s%n",
            now(),
            shortId(id),
            last.percent(),
            last.message());
      }
      if (job.isTerminal()) {
        return;
      }
      Thread.sleep(50);
    }
  }

  private static void awaitRunning(ReportOrchestrator orchestrator, JobId id)
      throws InterruptedException {
    while (orchestrator.get(id).state() == JobState.REQUESTED) {
      Thread.sleep(20);
    }
  }

  private void printTable(Map<String, JobId> jobs, List<JobSnapshot> finished) {
    out.printf(
        Locale.ROOT,
        "%n%-26s %-10s %-16s %-9s %-8s %-9s %s%n",
        "scenario",
        "job",
        "type",
        "state",
        "attempts",
        "duration",
        "result");
    List<String> scenarios = new ArrayList<>(jobs.keySet());
    for (int i = 0; i < finished.size(); i++) {
      JobSnapshot job = finished.get(i);
      String duration = job.runDuration().map(d -> d.toMillis() + " ms").orElse("-");
      String result =
          job.result() != null
              ? job.result().contentType()
                  + ", "
                  + job.result().sizeBytes()
                  + " bytes, "
                  + job.result().fileName()
              : job.error().map(e -> e.message()).orElse("-");
      out.printf(
          Locale.ROOT,
          "%-26s %-10s %-16s %-9s %-8s %-9s %s%n",
          scenarios.get(i),
          shortId(job.id()),
          job.reportType(),
          job.state(),
          job.attempt() + "/" + job.maxAttempts(),
          duration,
          result);
    }
  }

  private static String shortId(JobId id) {
    String text = id.toString();
    return "…" + text.substring(text.length() - 8);
  }

  private static String now() {
    return LocalTime.now(ZoneOffset.UTC).format(TIME);
  }
}
