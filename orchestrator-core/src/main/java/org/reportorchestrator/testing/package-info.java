/**
 * Helpers for testing your own report tasks without sleeping: a {@link
 * org.reportorchestrator.testing.SettableClock} to pass to the builder, and {@code
 * ReportOrchestrator.runDueJobs()} to run what became due.
 */
@NullMarked
package org.reportorchestrator.testing;

import org.jspecify.annotations.NullMarked;
