package org.reportorchestrator.examples.web;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import java.io.InputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.JobCursor;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobQuery;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ResultInfo;
import org.reportorchestrator.UnknownReportTypeException;

/**
 * The HTTP API over one orchestrator. Every handler answers from the store at once; none waits for
 * a report. Thread-safe.
 */
final class ReportRoutes {

  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  private static final int DEFAULT_PAGE_SIZE = 50;

  private final ReportOrchestrator orchestrator;
  private final JsonViews json;

  ReportRoutes(ReportOrchestrator orchestrator, JsonViews json) {
    this.orchestrator = orchestrator;
    this.json = json;
  }

  void register(RoutesConfig routes) {
    routes.post("/reports/{type}", this::submit);
    routes.get("/reports", this::list);
    routes.get("/reports/{id}", this::status);
    routes.get("/reports/{id}/result", this::result);
    routes.delete("/reports/{id}", this::cancel);

    routes.exception(
        UnknownReportTypeException.class, (e, ctx) -> problem(ctx, HttpStatus.NOT_FOUND, e));
    routes.exception(JobNotFoundException.class, (e, ctx) -> problem(ctx, HttpStatus.NOT_FOUND, e));
    routes.exception(NotFound.class, (e, ctx) -> problem(ctx, HttpStatus.NOT_FOUND, e));
    routes.exception(
        IllegalArgumentException.class, (e, ctx) -> problem(ctx, HttpStatus.BAD_REQUEST, e));
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
      int conflict = HttpStatus.CONFLICT.getCode();
      ctx.status(conflict)
          .json(
              json.error(
                  conflict,
                  "job "
                      + job.id()
                      + " is "
                      + job.state()
                      + "; only a COMPLETED job has a result"));
      return;
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

  /** {@code DELETE /reports/{id}}: cancels, at once or by asking the running task. */
  private void cancel(Context ctx) {
    JobId id = jobId(ctx);
    CancelOutcome outcome = orchestrator.cancel(id);
    ctx.json(json.submitted(id, orchestrator.get(id).state()).put("outcome", outcome.name()));
  }

  /**
   * {@code GET /reports?state=FAILED&type=...&after=...&limit=50}: a page, oldest first; {@code
   * after} is the {@code next} of the previous page.
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
            limit == null ? DEFAULT_PAGE_SIZE : integer("limit", limit, 1));
    ctx.json(json.page(query, orchestrator.query(query)));
  }

  private void problem(Context ctx, HttpStatus status, Exception e) {
    String message = e.getMessage();
    ctx.status(status).json(json.error(status.getCode(), message != null ? message : e.toString()));
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

  /** An id that names no job, answered with 404 like {@link JobNotFoundException}. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }
}
