/**
 * A Spring Boot host for the orchestrator: the store on the application's own {@code DataSource},
 * the orchestrator's start and stop in the application context's lifecycle, report tasks as beans,
 * its health and meters in Actuator, and an HTTP API to submit, poll, download and cancel.
 *
 * <p>{@link org.reportorchestrator.examples.spring.OrchestratorConfiguration} is the wiring and
 * asks nothing of this application; the rest is the application that uses it.
 */
@NullMarked
package org.reportorchestrator.examples.spring;

import org.jspecify.annotations.NullMarked;
