package org.reportorchestrator.examples.spring;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.reportorchestrator.CancelOutcome;
import org.reportorchestrator.JobId;
import org.reportorchestrator.JobNotFoundException;
import org.reportorchestrator.JobSnapshot;
import org.reportorchestrator.JobState;
import org.reportorchestrator.ReportOrchestrator;
import org.reportorchestrator.ReportParameterException;
import org.reportorchestrator.ReportRequest;
import org.reportorchestrator.ResultInfo;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.UnknownReportTypeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP API, the routes of the Javalin web example: {@code POST /reports/{type}} answers 202 at
 * once with where to poll, {@code GET /reports/{id}}, {@code GET /reports/{id}/result} and {@code
 * DELETE /reports/{id}}. Every error is an RFC 9457 problem. Thread-safe.
 */
@RestController
@RequestMapping("/reports")
class ReportController {

  static final String IDEMPOTENCY_KEY_HEADER = "Idempotency-Key";

  private static final Logger log = LoggerFactory.getLogger(ReportController.class);

  private final ReportOrchestrator orchestrator;

  ReportController(ReportOrchestrator orchestrator) {
    this.orchestrator = orchestrator;
  }

  static String location(JobId id) {
    return "/reports/" + id;
  }

  /** Stores the job; the body is the parameters, a JSON object of strings (or nothing). */
  @PostMapping("/{type}")
  ResponseEntity<JobView> submit(
      @PathVariable String type,
      @RequestBody(required = false) @Nullable Map<String, String> parameters,
      @RequestHeader(name = IDEMPOTENCY_KEY_HEADER, required = false) @Nullable String key,
      @RequestParam(required = false) @Nullable Integer delaySeconds) {
    ReportRequest.Builder request =
        ReportRequest.builder(type)
            .parameters(parameters == null ? Map.of() : parameters)
            .idempotencyKey(key);
    if (delaySeconds != null) {
      if (delaySeconds < 0) {
        throw new IllegalArgumentException("delaySeconds must be at least 0: " + delaySeconds);
      }
      request.startAfter(Duration.ofSeconds(delaySeconds));
    }
    JobId id = orchestrator.submit(request.build());
    // a repeated idempotency key answers with the earlier job, which may have moved on
    return ResponseEntity.accepted()
        .location(URI.create(location(id)))
        .body(JobView.of(orchestrator.get(id)));
  }

  @GetMapping("/{id}")
  JobView status(@PathVariable String id) {
    return JobView.of(orchestrator.get(jobId(id)));
  }

  /** The content, once the job has completed; 409 before. */
  @GetMapping("/{id}/result")
  ResponseEntity<InputStreamResource> result(@PathVariable String id) {
    JobSnapshot job = orchestrator.get(jobId(id));
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
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(info.contentType()))
        .contentLength(info.sizeBytes())
        .header(
            HttpHeaders.CONTENT_DISPOSITION,
            ContentDisposition.attachment()
                .filename(named != null ? named : job.id().toString())
                .build()
                .toString())
        .body(new InputStreamResource(content)); // Spring closes the stream once it is written
  }

  /** Cancels at once a job that waits, or asks the running task to stop. */
  @DeleteMapping("/{id}")
  JobView cancel(@PathVariable String id) {
    JobId jobId = jobId(id);
    CancelOutcome outcome = orchestrator.cancel(jobId);
    return JobView.of(orchestrator.get(jobId), outcome.name());
  }

  @ExceptionHandler({UnknownReportTypeException.class, JobNotFoundException.class, NotFound.class})
  ResponseEntity<ProblemDetail> notFound(RuntimeException e) {
    return problem(HttpStatus.NOT_FOUND, e);
  }

  @ExceptionHandler(Conflict.class)
  ResponseEntity<ProblemDetail> conflict(Conflict e) {
    return problem(HttpStatus.CONFLICT, e);
  }

  @ExceptionHandler({IllegalArgumentException.class, ReportParameterException.class})
  ResponseEntity<ProblemDetail> badRequest(RuntimeException e) {
    return problem(HttpStatus.BAD_REQUEST, e);
  }

  @ExceptionHandler(StorageException.class)
  ResponseEntity<ProblemDetail> storeDown(StorageException e) {
    log.warn("a request failed: the store did not answer", e);
    return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
        .body(
            ProblemDetail.forStatusAndDetail(
                HttpStatus.SERVICE_UNAVAILABLE,
                "the job store is not answering; try again in a moment"));
  }

  private static ResponseEntity<ProblemDetail> problem(HttpStatus status, Exception e) {
    String message = e.getMessage();
    String detail = message != null && !message.isBlank() ? message : e.getClass().getSimpleName();
    return ResponseEntity.status(status).body(ProblemDetail.forStatusAndDetail(status, detail));
  }

  /** A malformed id names no job: 404 like an unknown one, not 400. */
  private static JobId jobId(String text) {
    try {
      return JobId.parse(text);
    } catch (IllegalArgumentException e) {
      throw new NotFound("no job with id '" + text + "' (job ids are UUIDs)");
    }
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
