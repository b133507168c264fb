/**
 * Implementation of the orchestrator runtime. Unsupported: may change at any time, and is not
 * exported from the module.
 */
@NullMarked
package org.reportorchestrator.internal;

import org.jspecify.annotations.NullMarked;
