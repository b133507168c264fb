/**
 * A {@link org.reportorchestrator.spi.JobRepository} that keeps jobs in memory: {@link
 * org.reportorchestrator.inmemory.InMemoryJobRepository}. For tests and demos; nothing survives a
 * restart.
 */
@NullMarked
package org.reportorchestrator.inmemory;

import org.jspecify.annotations.NullMarked;
