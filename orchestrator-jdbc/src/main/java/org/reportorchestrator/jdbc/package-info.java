/**
 * A {@link org.reportorchestrator.spi.JobRepository} on PostgreSQL or H2: build a {@link
 * org.reportorchestrator.jdbc.JdbcJobRepository} and hand it to the orchestrator. Every other type
 * in this package is package-private plumbing.
 */
@NullMarked
package org.reportorchestrator.jdbc;

import org.jspecify.annotations.NullMarked;
