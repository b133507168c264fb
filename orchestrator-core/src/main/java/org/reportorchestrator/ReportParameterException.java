package org.reportorchestrator;

import org.jspecify.annotations.Nullable;

/**
 * A parameter is missing or malformed. Thrown by {@link ReportContext}'s parameter accessors while
 * a job runs: the job fails without retry, since a rerun would meet the same parameters. Thrown by
 * {@link ReportOrchestrator#submit} when a request lacks a parameter its report type declared with
 * {@link TaskOptions#withRequiredParameters(String...)}: then nothing is stored.
 */
public final class ReportParameterException extends NonRetryableException {

  private static final long serialVersionUID = 1L;

  private final String parameter;

  private final @Nullable String reportType;

  public ReportParameterException(String parameter, String problem) {
    super("parameter '" + parameter + "' " + problem);
    this.parameter = parameter;
    this.reportType = null;
  }

  /** A problem with a parameter of a request for {@code reportType}, named in the message. */
  public ReportParameterException(String reportType, String parameter, String problem) {
    super("report type '" + reportType + "': parameter '" + parameter + "' " + problem);
    this.parameter = parameter;
    this.reportType = reportType;
  }

  public String parameter() {
    return parameter;
  }

  /** The report type whose request was refused, or {@code null} when not known. */
  public @Nullable String reportType() {
    return reportType;
  }
}
