/**
 * The storage SPI: what a job store implements. A store offers atomic, conditional primitives; the
 * state machine and every scheduling rule live in core. Every call receives the current time from
 * core, so a store never reads a clock. Run {@code JobRepositoryContract} from the core test-jar
 * against a new store to prove it.
 */
@NullMarked
package org.reportorchestrator.spi;

import org.jspecify.annotations.NullMarked;
