package org.reportorchestrator;

/**
 * Thrown by {@link ReportContext}'s parameter accessors when a parameter is missing or malformed.
 * The job fails without retry, since a rerun would meet the same parameters.
 */
public final class ReportParameterException extends NonRetryableException {

  private static final long serialVersionUID = 1L;

  private final String parameter;

  public ReportParameterException(String parameter, String problem) {
    super("parameter '" + parameter + "' " + problem);
    this.parameter = parameter;
  }

  public String parameter() {
    return parameter;
  }
}
