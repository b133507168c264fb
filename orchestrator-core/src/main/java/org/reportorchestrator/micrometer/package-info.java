/**
 * Micrometer meters for Report Orchestrator: {@link
 * org.reportorchestrator.micrometer.MicrometerMetrics}. The only package that uses Micrometer, an
 * optional dependency: a host that does not use this package needs no Micrometer on its class path
 * and loads none of its classes.
 */
@NullMarked
package org.reportorchestrator.micrometer;

import org.jspecify.annotations.NullMarked;
