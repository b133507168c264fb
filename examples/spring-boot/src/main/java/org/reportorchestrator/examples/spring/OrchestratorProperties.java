package org.reportorchestrator.examples.spring;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import org.hibernate.validator.constraints.time.DurationMax;
import org.hibernate.validator.constraints.time.DurationMin;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The orchestrator's settings under {@code report-orchestrator.*} in {@code application.yml},
 * checked when the context starts: a value out of range stops startup with a message that names the
 * property. The ranges are the builder's (see docs/configuration.md), so that a mistake is reported
 * in the property's own name rather than the builder's. Immutable.
 *
 * @param runJobs whether this process claims and runs jobs; {@code false} for a node that only
 *     submits and reads (a web node in front of separate workers)
 * @param nodeId this node's name in the store, unique among nodes; generated when unset
 * @param workers how many jobs this node runs at once
 * @param pollInterval how often an idle node looks for due jobs
 * @param leaseDuration how long a claim holds without a heartbeat
 * @param shutdownGracePeriod how long a stop lets running jobs finish before interrupting them
 * @param retainFinishedJobsFor how long finished jobs are kept; kept until purged when unset
 * @param statisticsInterval how old the statistics (and the due and lag meters) may get
 * @param tablePrefix the prefix of the store's tables in the application's database
 */
@ConfigurationProperties("report-orchestrator")
@Validated
public record OrchestratorProperties(
    @DefaultValue("true") boolean runJobs,
    @Nullable @Size(min = 1, max = 100) @Pattern(regexp = ".*\\S.*") String nodeId,
    @DefaultValue("4") @Min(1) @Max(1000) int workers,
    @DefaultValue("1s") @NotNull @DurationMin(millis = 10) @DurationMax(hours = 1)
        Duration pollInterval,
    @DefaultValue("60s") @NotNull @DurationMin(seconds = 1) @DurationMax(hours = 1)
        Duration leaseDuration,
    @DefaultValue("30s") @NotNull @DurationMin(seconds = 0) @DurationMax(hours = 1)
        Duration shutdownGracePeriod,
    @Nullable @DurationMin(hours = 1) @DurationMax(days = 3653) Duration retainFinishedJobsFor,
    @DefaultValue("10s") @NotNull @DurationMin(millis = 100) @DurationMax(hours = 1)
        Duration statisticsInterval,
    @DefaultValue("orchestrator_") @NotNull @Pattern(regexp = "[A-Za-z_][A-Za-z0-9_]{0,40}")
        String tablePrefix) {}
