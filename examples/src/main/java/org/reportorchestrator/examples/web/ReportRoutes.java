package org.reportorchestrator.examples.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.IllegalStateTransitionException;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobError;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.OrchestratorHealth;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportParameterException;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ResultInfo;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.UnknownReportTypeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API over one orchestrator. Every handler answers from the store at once; none waits for
 * a report. Thread-safe.
 */
final class ReportRoutes {

  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  private static final int DEFAULT_PAGE_SIZE = 50;

  static final String PROBLEM_JSON = "application/problem+json";

  private static final Logger log = LoggerFactory.getLogger(ReportRoutes.class);

  private final ReportOrchestrator orchestrator;
  private final List<ReportType> types;
  private final JsonViews json;

  private final ActivityHistory activity;

  ReportRoutes(
      ReportOrchestrator orchestrator,
      List<ReportType> types,
      JsonViews json,
      ActivityHistory activity) {
    this.orchestrator = orchestrator;
    this.types = List.copyOf(types);
    this.json = json;
    this.activity = activity;
  }

  void register(RoutesConfig routes) {
    routes.get("/report-types", this::reportTypes);
    routes.get("/stats", this::statistics);
    routes.get("/stats/activity", this::activity);
    routes.get("/health", this::health);
    routes.post("/reports/{type}", this::submit);
    routes.get("/reports", this::list);
    routes.get("/reports/{id}", this::status);
    routes.get("/reports/{id}/result", this::result);
    routes.get("/reports/{id}/error", this::error);
    routes.get("/reports/{id}/history", this::history);
    routes.post("/reports/{id}/retry", this::retry);
    routes.delete("/reports/{id}", this::cancel);

    // every 4xx and 5xx answers an RFC 9457 problem whose detail the status page shows
    routes.exception(
        UnknownReportTypeException.class, (e, ctx) -> problem(ctx, HttpStatus.NOT_FOUND, e));
    routes.exception(JobNotFoundException.class, (e, ctx) -> problem(ctx, HttpStatus.NOT_FOUND, e));
    routes.exception(NotFound.class, (e, ctx) -> problem(ctx, HttpStatus.NOT_FOUND, e));
    routes.exception(Conflict.class, (e, ctx) -> problem(ctx, HttpStatus.CONFLICT, e));
    routes.exception(
        IllegalStateTransitionException.class,
        (e, ctx) ->
            problem(
                ctx,
                HttpStatus.CONFLICT,
                "job "
                    + e.jobId()
                    + " is "
                    + e.from()
                    + "; only a FAILED or CANCELLED job can be retried"));
    routes.exception(
        IllegalArgumentException.class, (e, ctx) -> problem(ctx, HttpStatus.BAD_REQUEST, e));
    // a parameter the report type requires (TaskOptions.withRequiredParameters) is missing
    routes.exception(
        ReportParameterException.class, (e, ctx) -> problem(ctx, HttpStatus.BAD_REQUEST, e));
    // Javalin's own: no such route, wrong method, a body over its size limit, ...
    routes.exception(
        HttpResponseException.class, (e, ctx) -> problem(ctx, e.getStatus(), detail(e)));
    routes.exception(
        StorageException.class,
        (e, ctx) -> {
          log.warn("{} {} failed: the store did not answer", ctx.method(), ctx.path(), e);
          problem(
              ctx,
              HttpStatus.SERVICE_UNAVAILABLE,
              "the job store is not answering; try again in a moment");
        });
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          log.error("{} {} failed", ctx.method(), ctx.path(), e);
          problem(
              ctx,
              HttpStatus.INTERNAL_SERVER_ERROR,
              "the server failed to answer this request; its log has the details");
        });
  }

  /** {@code GET /report-types}: what the submit form offers. */
  private void reportTypes(Context ctx) {
    ctx.json(json.reportTypes(types));
  }

  /**
   * {@code GET /stats}: per report type of the whole store, the jobs in each state, the due jobs
   * and the lag, from the orchestrator's statistics cache (read from the store at most once per
   * interval however often this is asked).
   */
  private void statistics(Context ctx) {
    ctx.json(json.statistics(orchestrator.statistics()));
  }

  /** {@code GET /stats/activity}: the samples the status page's chart draws, oldest first. */
  private void activity(Context ctx) {
    ctx.json(json.activity(activity.samples()));
  }

  /** {@code GET /health}: for a load balancer or a probe; 503 when the node is DOWN. */
  private void health(Context ctx) {
    OrchestratorHealth health = orchestrator.health();
    ctx.status(
        health.status() == OrchestratorHealth.Status.DOWN
            ? HttpStatus.SERVICE_UNAVAILABLE
            : HttpStatus.OK);
    ctx.json(json.health(health));
  }

  /** {@code POST /reports/{type}}: stores the job and answers 202 with where to poll. */
  private void submit(Context ctx) {
    ReportRequest.Builder request =
        ReportRequest.builder(ctx.pathParam("type")).parameters(json.parameters(ctx.body()));
    String key = ctx.header(IDEMPOTENCY_KEY_HEADER);
    if (key == null) {
      key = ctx.queryParam("idempotencyKey");
    }
    request.idempotencyKey(key);
    String priority = ctx.queryParam("priority");
    if (priority != null) {
      request.priority(integer("priority", priority, Integer.MIN_VALUE));
    }
    String delay = ctx.queryParam("delaySeconds");
    if (delay != null) {
      request.startAfter(Duration.ofSeconds(integer("delaySeconds", delay, 0)));
    }

    JobId id = orchestrator.submit(request.build());
    // a repeated idempotency key answers with the earlier job, which may have moved on
    JobState state =
        key == null
            ? JobState.REQUESTED
            : orchestrator.find(id).map(JobSnapshot::state).orElse(JobState.REQUESTED);
    ctx.status(HttpStatus.ACCEPTED).header("Location", "/reports/" + id);
    ctx.json(json.submitted(id, state));
  }

  /** {@code GET /reports/{id}}. */
  private void status(Context ctx) {
    ctx.json(json.snapshot(orchestrator.get(jobId(ctx))));
  }

  /** {@code GET /reports/{id}/result}: the content, once the job has completed. */
  private void result(Context ctx) {
    JobSnapshot job = orchestrator.get(jobId(ctx));
    ResultInfo info = job.result();
    if (job.state() != JobState.COMPLETED || info == null) {
      throw new Conflict(
          "job " + job.id() + " is " + job.state() + "; only a COMPLETED job has a result");
    }
    InputStream content =
        orchestrator
            .openResult(job.id())
            .orElseThrow(() -> new NotFound("job " + job.id() + " has no stored result"));
    String named = info.fileName();
    String fileName = named != null ? named : job.id().toString();
    ctx.contentType(info.contentType())
        .header("Content-Disposition", "attachment; filename=\"" + headerSafe(fileName) + "\"")
        .result(content); // Javalin closes the stream once it is written
  }

  /**
   * {@code GET /reports/{id}/error}: the latest failed attempt's error with its stack trace, which
   * {@code GET /reports/{id}} leaves out; 404 while the job has none.
   */
  private void error(Context ctx) {
    JobSnapshot job = orchestrator.get(jobId(ctx));
    JobError error = job.lastError();
    if (error == null) {
      throw new NotFound("job " + job.id() + " has no error (it is " + job.state() + ")");
    }
    ctx.json(json.error(error));
  }

  /** {@code GET /reports/{id}/history}: every transition of the job, oldest first. */
  private void history(Context ctx) {
    ctx.json(json.history(orchestrator.history(jobId(ctx))));
  }

  /**
   * {@code POST /reports/{id}/retry}: an operator's retry of a FAILED or CANCELLED job, under the
   * same id; 409 for a job in any other state (a second click included).
   */
  private void retry(Context ctx) {
    JobId id = jobId(ctx);
    orchestrator.retry(id);
    ctx.status(HttpStatus.ACCEPTED).header("Location", "/reports/" + id);
    ctx.json(json.submitted(id, orchestrator.get(id).state()));
  }

  /** {@code DELETE /reports/{id}}: cancels, at once or by asking the running task. */
  private void cancel(Context ctx) {
    JobId id = jobId(ctx);
    CancelOutcome outcome = orchestrator.cancel(id);
    ctx.json(json.submitted(id, orchestrator.get(id).state()).put("outcome", outcome.name()));
  }

  /**
   * {@code GET /reports?state=FAILED&type=...&order=newest&after=...&limit=50}: a page, oldest
   * first unless {@code order=newest}; {@code after} is the {@code next} of the previous page.
   */
  private void list(Context ctx) {
    Set<JobState> states = EnumSet.noneOf(JobState.class);
    for (String value : ctx.queryParams("state")) {
      for (String name : value.split(",", -1)) {
        states.add(state(name.trim()));
      }
    }
    String after = ctx.queryParam("after");
    String limit = ctx.queryParam("limit");
    JobQuery query =
        new JobQuery(
            states,
            ctx.queryParam("type"),
            after == null ? null : JobCursor.parse(after),
            limit == null ? DEFAULT_PAGE_SIZE : integer("limit", limit, 1),
            order(ctx.queryParam("order")));
    ctx.json(json.page(query, orchestrator.query(query)));
  }

  private static JobQuery.Order order(@Nullable String value) {
    if (value == null || value.equals("oldest")) {
      return JobQuery.Order.OLDEST_FIRST;
    }
    if (value.equals("newest")) {
      return JobQuery.Order.NEWEST_FIRST;
    }
    throw new IllegalArgumentException("order must be 'oldest' or 'newest': '" + value + "'");
  }

  private void problem(Context ctx, HttpStatus status, Exception e) {
    problem(ctx, status, detail(e));
  }

  private void problem(Context ctx, HttpStatus status, String detail) {
    problem(ctx, status.getCode(), detail);
  }

  private void problem(Context ctx, int status, String detail) {
    HttpStatus known = HttpStatus.forStatus(status);
    String title = known == HttpStatus.UNKNOWN ? "HTTP " + status : known.getMessage();
    ctx.status(status)
        .contentType(PROBLEM_JSON)
        .result(json.problem(status, title, detail).toString());
  }

  private static String detail(Exception e) {
    String message = e.getMessage();
    return message != null && !message.isBlank() ? message : e.getClass().getSimpleName();
  }

  /** A malformed id names no job: 404 like an unknown one, not 400. */
  private static JobId jobId(Context ctx) {
    String text = ctx.pathParam("id");
    try {
      return JobId.parse(text);
    } catch (IllegalArgumentException e) {
      throw new NotFound("no job with id '" + text + "' (job ids are UUIDs)");
    }
  }

  private static JobState state(String name) {
    try {
      return JobState.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "unknown state '" + name + "'; states: " + Arrays.toString(JobState.values()), e);
    }
  }

  private static int integer(String name, String text, int min) {
    int value;
    try {
      value = Integer.parseInt(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be an integer: '" + text + "'", e);
    }
    if (value < min) {
      throw new IllegalArgumentException(name + " must be at least " + min + ": " + value);
    }
    return value;
  }

  /** Keeps a task's file name from breaking out of the quoted header value. */
  private static String headerSafe(String name) {
    StringBuilder safe = new StringBuilder(name.length());
    name.codePoints()
        .forEach(
            c -> safe.appendCodePoint(c < 0x20 || c > 0x7e || c == '"' || c == '\\' ? '_' : c));
    return safe.toString();
  }

  /** A request the job's state does not allow yet, answered with 409. */
  static final class Conflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Conflict(String message) {
      super(message);
    }
  }

  /** An id that names no job, answered with 404 like {@link JobNotFoundException}. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }
}
