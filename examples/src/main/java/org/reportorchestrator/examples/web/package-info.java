/**
 * A web host for the orchestrator: an HTTP API (on Javalin) that submits reports, answers at once
 * with a job id, and serves status and results while the reports run in the background.
 */
@NullMarked
package org.reportorchestrator.examples.web;

import org.jspecify.annotations.NullMarked;
