/**
 * The public API of Report Orchestrator: build a {@link org.reportorchestrator.ReportOrchestrator},
 * register {@link org.reportorchestrator.ReportTask}s by report type, submit {@link
 * org.reportorchestrator.ReportRequest}s and read {@link org.reportorchestrator.JobSnapshot}s.
 */
@NullMarked
package org.reportorchestrator;

import org.jspecify.annotations.NullMarked;
