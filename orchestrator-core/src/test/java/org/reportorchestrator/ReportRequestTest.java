package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReportRequestTest {

  @Test
  void aValidRequestKeepsItsSettings() {
    ReportRequest request =
        ReportRequest.builder("sales")
            .parameter("month", "2026-10")
            .idempotencyKey("sales-2026-10")
            .startAfter(Duration.ofMinutes(5))
            .priority(7)
            .maxAttempts(4)
            .timeout(Duration.ofSeconds(30))
            .build();
    assertThat(request.parameters()).containsEntry("month", "2026-10");
    assertThat(request.idempotencyKey()).isEqualTo("sales-2026-10");
    assertThat(request.startAfter()).isEqualTo(Duration.ofMinutes(5));
    assertThat(request.priority()).isEqualTo(7);
    assertThat(request.maxAttempts()).isEqualTo(4);
    assertThat(request.timeout()).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void parametersAreCopiedAndUnmodifiable() {
    Map<String, String> source = new HashMap<>(Map.of("a", "1"));
    ReportRequest request = ReportRequest.of("sales", source);
    source.put("b", "2");
    assertThat(request.parameters()).containsOnlyKeys("a");
    assertThatThrownBy(() -> request.parameters().put("c", "3"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void badReportTypesAreRejected() {
    assertThatThrownBy(() -> ReportRequest.of(null))
        .hasMessageContaining("reportType must not be null");
    assertThatThrownBy(() -> ReportRequest.of(" "))
        .hasMessageContaining("reportType must not be blank");
    assertThatThrownBy(() -> ReportRequest.of("x".repeat(129)))
        .hasMessageContaining("reportType is 129 characters long");
  }

  @Test
  void nullParametersAreRejectedByName() {
    Map<String, String> withNullValue = new HashMap<>();
    withNullValue.put("month", null);
    assertThatThrownBy(() -> ReportRequest.of("sales", withNullValue))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("parameter 'month' has a null value");
    assertThatThrownBy(() -> ReportRequest.of("sales", null))
        .hasMessageContaining("parameters must not be null");
    Map<String, String> withNullKey = new HashMap<>();
    withNullKey.put(null, "x");
    assertThatThrownBy(() -> ReportRequest.of("sales", withNullKey))
        .hasMessageContaining("parameter names must not be null");
  }

  @Test
  void oversizedParametersAreRejected() {
    Map<String, String> many = new HashMap<>();
    for (int i = 0; i <= ReportRequest.MAX_PARAMETERS; i++) {
      many.put("p" + i, "v");
    }
    assertThatThrownBy(() -> ReportRequest.of("sales", many))
        .hasMessageContaining("257 parameters; the limit is 256");
    assertThatThrownBy(() -> ReportRequest.of("sales", Map.of("blob", "x".repeat(70_000))))
        .hasMessageContaining("parameters exceed 65536 bytes")
        .hasMessageContaining("'blob'");
    assertThatThrownBy(() -> ReportRequest.of("sales", Map.of("k".repeat(200), "v")))
        .hasMessageContaining("characters long; the limit is 128");
  }

  @Test
  void badSchedulingIsRejected() {
    assertThatThrownBy(() -> ReportRequest.builder("sales").maxAttempts(0).build())
        .hasMessageContaining("maxAttempts must be between 1 and 100: 0");
    assertThatThrownBy(() -> ReportRequest.builder("sales").timeout(Duration.ZERO).build())
        .hasMessageContaining("timeout must be positive");
    assertThatThrownBy(
            () -> ReportRequest.builder("sales").startAfter(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("startAfter must be between zero and");
    assertThatThrownBy(() -> ReportRequest.builder("sales").idempotencyKey(" ").build())
        .hasMessageContaining("idempotencyKey must not be blank");
    assertThatThrownBy(
            () ->
                new ReportRequest(
                    "sales", Map.of(), null, Instant.EPOCH, Duration.ZERO, 0, null, null))
        .hasMessageContaining("at most one of startAt and startAfter");
  }
}
