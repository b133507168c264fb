package org.reportorchestrator;

import java.util.Set;
import java.util.TreeSet;

/** Thrown when a request names a report type that no {@link ReportTask} is registered for. */
public final class UnknownReportTypeException extends OrchestratorException {

  private static final long serialVersionUID = 1L;

  private final String reportType;

  public UnknownReportTypeException(String reportType, Set<String> registeredTypes) {
    super(
        "unknown report type '"
            + reportType
            + "'; registered types: "
            + new TreeSet<>(registeredTypes));
    this.reportType = reportType;
  }

  public String reportType() {
    return reportType;
  }
}
