package org.reportorchestrator.jdbc.processes;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the few places where these tests read the system clock or write to standard output: the
 * node process talks to its harness through stdout, and the tests print their measured figures.
 * forbiddenapis skips what carries it.
 */
@Retention(RetentionPolicy.CLASS)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.CONSTRUCTOR})
@interface SuppressForbidden {}
