package org.reportorchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.reportorchestrator.spi.JobRepository;
import org.reportorchestrator.testing.SettableClock;

/**
 * Every store keeps exactly what the API accepted, and what the API refuses leaves no trace: the
 * same on every store. Arbitrary Unicode (astral characters, combining marks, NUL, unpaired
 * surrogates, strings at each length limit and one past it) goes through submit, {@link
 * ReportResult} and {@link JobError}, and comes back through {@code get}, {@code query} and {@code
 * openResult}. A store's test subclasses this and supplies an empty repository.
 *
 * <p>The cases come from a seeded {@link Random}; a failure names its seed, and {@code
 * -Dorchestrator.textSeed=<seed>} replays it.
 */
public abstract class StoredTextContract {

  private static final Instant START = Instant.parse("2026-11-02T09:00:00Z");
  private static final String ECHO = "echo";

  /** An empty store for one test. */
  protected abstract JobRepository newRepository();

  /** Releases what {@link #newRepository()} made; called after each test. */
  protected void closeRepository(JobRepository repository) throws Exception {
    if (repository instanceof AutoCloseable closeable) {
      closeable.close();
    }
  }

  /** How many random requests, results and errors each property test tries. */
  protected int cases() {
    return 300;
  }

  private final long seed =
      Long.getLong("orchestrator.textSeed", ThreadLocalRandom.current().nextLong());
  private final Random random = new Random(seed);
  private final Map<String, Object> outcomes = new ConcurrentHashMap<>();
  private final List<ReportOrchestrator> orchestrators = new ArrayList<>();
  private JobRepository repository;

  @BeforeEach
  void createRepository() {
    repository = newRepository();
  }

  @AfterEach
  void closeEverything() throws Exception {
    for (ReportOrchestrator orchestrator : orchestrators) {
      orchestrator.close();
    }
    closeRepository(repository);
  }

  // ---------------------------------------------------------------------------------------------
  // properties over arbitrary text

  @Test
  void whateverSubmitAcceptsReadsBackIdenticalAndWhateverItRefusesStoresNothing() {
    withSeed(
        () -> {
          Set<String> types = new LinkedHashSet<>();
          List<String> refusedTypes = new ArrayList<>();
          ReportOrchestrator.Builder builder = builder();
          builder.submitOnly("plain");
          types.add("plain");
          for (int i = 0; i < 30; i++) {
            String type = text(ReportRequest.MAX_REPORT_TYPE_LENGTH);
            if (types.contains(type)) {
              continue;
            }
            boolean fit = fits(type, ReportRequest.MAX_REPORT_TYPE_LENGTH);
            try {
              builder.submitOnly(type);
              assertThat(fit).as("registered type %s", describe(type)).isTrue();
              types.add(type);
            } catch (IllegalArgumentException refused) {
              assertThat(fit).as("refused type %s: %s", describe(type), refused).isFalse();
              refusedTypes.add(type);
            }
          }
          ReportOrchestrator orchestrator = keep(builder.build());
          List<String> typeList = List.copyOf(types);
          Map<JobId, ReportRequest> stored = new LinkedHashMap<>();
          Map<String, JobId> idsByKey = new HashMap<>();
          List<String> refusedKeys = new ArrayList<>();

          for (int i = 0; i < cases(); i++) {
            boolean useRefusedType = !refusedTypes.isEmpty() && random.nextInt(20) == 0;
            String type =
                useRefusedType
                    ? refusedTypes.get(random.nextInt(refusedTypes.size()))
                    : typeList.get(random.nextInt(typeList.size()));
            Map<String, String> parameters = new LinkedHashMap<>();
            int count = random.nextInt(4);
            for (int p = 0; p < count; p++) {
              parameters.put(text(ReportRequest.MAX_PARAMETER_NAME_LENGTH), text(300));
            }
            String key = key(idsByKey, refusedKeys);
            boolean fit =
                fits(type, ReportRequest.MAX_REPORT_TYPE_LENGTH)
                    && parameters.entrySet().stream()
                        .allMatch(
                            e ->
                                fits(e.getKey(), ReportRequest.MAX_PARAMETER_NAME_LENGTH)
                                    && fitsValue(e.getValue(), Integer.MAX_VALUE))
                    && (key == null || fits(key, ReportRequest.MAX_IDEMPOTENCY_KEY_LENGTH));
            int before = stored.size();
            ReportRequest request;
            try {
              ReportRequest.Builder request0 = ReportRequest.builder(type).parameters(parameters);
              request = request0.idempotencyKey(key).build();
            } catch (IllegalArgumentException refused) {
              assertThat(fit)
                  .as("refused %s %s %s: %s", describe(type), parameters, describe(key), refused)
                  .isFalse();
              if (key != null && !fits(key, ReportRequest.MAX_IDEMPOTENCY_KEY_LENGTH)) {
                refusedKeys.add(key);
              }
              continue;
            }
            assertThat(fit)
                .as("accepted %s %s %s", describe(type), parameters, describe(key))
                .isTrue();
            JobId id = orchestrator.submit(request);
            if (key != null && idsByKey.containsKey(key)) {
              assertThat(id)
                  .as("second submit with key %s", describe(key))
                  .isEqualTo(idsByKey.get(key));
              continue;
            }
            assertThat(stored).doesNotContainKey(id);
            stored.put(id, request);
            if (key != null) {
              idsByKey.put(key, id);
            }
            assertThat(stored).hasSize(before + 1);
          }

          for (Map.Entry<JobId, ReportRequest> entry : stored.entrySet()) {
            assertSameRequest(orchestrator.get(entry.getKey()), entry.getValue());
          }
          List<JobSnapshot> all = orchestrator.query(JobQuery.all().limit(JobQuery.MAX_LIMIT));
          assertThat(all)
              .extracting(JobSnapshot::id)
              .containsExactlyInAnyOrderElementsOf(stored.keySet());
          for (String type : types) {
            List<JobSnapshot> ofType =
                orchestrator.query(JobQuery.all().ofType(type).limit(JobQuery.MAX_LIMIT));
            for (JobSnapshot snapshot : ofType) {
              assertSameRequest(snapshot, stored.get(snapshot.id()));
            }
            assertThat(ofType)
                .extracting(JobSnapshot::id)
                .containsExactlyInAnyOrderElementsOf(
                    stored.entrySet().stream()
                        .filter(e -> e.getValue().reportType().equals(type))
                        .map(Map.Entry::getKey)
                        .toList());
          }
        });
  }

  @Test
  void whateverAResultAcceptsReadsBackIdenticalAndEveryErrorIsKeptSanitized() {
    withSeed(
        () -> {
          ReportOrchestrator orchestrator = keep(echoBuilder().build());
          Map<JobId, Object> expected = new LinkedHashMap<>();
          for (int i = 0; i < cases(); i++) {
            Object outcome = random.nextInt(3) == 0 ? failure() : result();
            if (outcome == null) {
              continue;
            }
            String name = "case-" + i;
            outcomes.put(name, outcome);
            expected.put(
                orchestrator.submit(ReportRequest.of(ECHO, Map.of("case", name))), outcome);
          }
          orchestrator.runDueJobs();

          for (Map.Entry<JobId, Object> entry : expected.entrySet()) {
            JobSnapshot job = orchestrator.get(entry.getKey());
            if (entry.getValue() instanceof ReportResult result) {
              assertThat(job.state()).as("%s", result).isEqualTo(JobState.COMPLETED);
              assertThat(job.result()).isEqualTo(result.info());
              assertThat(read(orchestrator.openResult(job.id()).orElseThrow()))
                  .isEqualTo(result.bytes());
            } else {
              Throwable thrown = (Throwable) entry.getValue();
              JobError error = JobError.of(thrown);
              assertThat(job.state()).isEqualTo(JobState.FAILED);
              assertThat(job.lastError()).isNotNull();
              assertThat(job.lastError().type()).isEqualTo(error.type());
              assertThat(job.lastError().message()).isEqualTo(error.message());
              if (error.message() != null) {
                // an exception's message may be blank; it is kept as it was, only made storable
                assertThat(fitsValue(error.message(), JobError.MAX_MESSAGE_LENGTH)).isTrue();
              }
              assertThat(fits(job.lastError().stackTrace(), JobError.MAX_STACK_TRACE_LENGTH))
                  .isTrue();
            }
          }
        });
  }

  // ---------------------------------------------------------------------------------------------
  // the regressions of issue 7, by name

  @Test
  void aKeyWithALoneSurrogateIsRefusedAndItsQuestionMarkLookalikeGetsAJobOfItsOwn() {
    ReportOrchestrator orchestrator = keep(builder().submitOnly("plain").build());

    assertThatThrownBy(
            () ->
                orchestrator.submit(
                    ReportRequest.builder("plain").idempotencyKey("k\uD800-x").build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idempotencyKey")
        .hasMessageContaining("unpaired surrogate");
    JobId lookalike =
        orchestrator.submit(ReportRequest.builder("plain").idempotencyKey("k?-x").build());

    assertThat(orchestrator.query(JobQuery.all()))
        .extracting(JobSnapshot::id)
        .containsExactly(lookalike);
    assertThat(orchestrator.get(lookalike).idempotencyKey()).isEqualTo("k?-x");
  }

  @Test
  void aReportTypeNoStoreCanKeepIsRefusedAtRegistrationAndAtSubmit() {
    assertThatThrownBy(() -> builder().register("sales\u0000", context -> ReportResult.empty()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reportType")
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> ReportRequest.of("sales\uDC00"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("reportType")
        .hasMessageContaining("unpaired surrogate");
  }

  @Test
  void textThatNoStoreCanKeepIsRefusedWhereItEntersNamingTheField() {
    assertThatThrownBy(() -> ReportRequest.of("plain", Map.of("region", "no\u0000rth")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter 'region'");
    assertThatThrownBy(() -> ReportRequest.of("plain", Map.of("reg\uD83Dion", "north")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("parameter name");
    assertThatThrownBy(() -> ReportResult.ofText("x", "text/plain\u0000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contentType");
    assertThatThrownBy(() -> ReportResult.ofText("x", "t/" + "x".repeat(254)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contentType is 256 characters long; the limit is 255");
    assertThatThrownBy(() -> ReportResult.empty().withFileName("f".repeat(1_001)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fileName is 1001 characters long; the limit is 1000");
    assertThatThrownBy(() -> ReportResult.empty().withFileName("report\uDFFF.csv"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fileName");
    assertThatThrownBy(() -> ReportResult.empty().withMetadata("rows", "1\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("metadata 'rows'");
    assertThatThrownBy(() -> ReportOrchestrator.builder().nodeId("node\u0000"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nodeId");
  }

  @Test
  void durationsThatWouldOverflowAreRefusedAtTheRequestNamingTheSetting() {
    Duration forever = ChronoUnit.FOREVER.getDuration();

    assertThatThrownBy(() -> ReportRequest.builder("plain").timeout(forever).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be positive and at most PT168H");
    assertThatThrownBy(() -> TaskOptions.DEFAULTS.withTimeout(forever))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout");
    assertThatThrownBy(
            () ->
                ReportRequest.builder("plain")
                    .startAfter(Duration.ofSeconds(Long.MAX_VALUE))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("startAfter");
    assertThatThrownBy(() -> ReportRequest.builder("plain").startAt(Instant.MAX).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("startAt");
  }

  @Test
  void theLongestAllowedDurationsAreStoredAndReadBack() {
    ReportOrchestrator orchestrator = keep(builder().submitOnly("plain").build());

    JobId id =
        orchestrator.submit(
            ReportRequest.builder("plain")
                .timeout(ReportRequest.MAX_TIMEOUT)
                .startAfter(ReportRequest.MAX_START_DELAY)
                .build());
    JobId late =
        orchestrator.submit(
            ReportRequest.builder("plain").startAt(ReportRequest.LATEST_START_AT).build());

    assertThat(orchestrator.get(id).timeout()).isEqualTo(ReportRequest.MAX_TIMEOUT);
    assertThat(orchestrator.get(id).nextRunAt())
        .isEqualTo(START.plus(ReportRequest.MAX_START_DELAY));
    assertThat(orchestrator.get(late).nextRunAt()).isEqualTo(ReportRequest.LATEST_START_AT);
  }

  @Test
  void awaitingCompletionForeverWaitsInsteadOfOverflowing() throws Exception {
    ReportOrchestrator orchestrator =
        keep(echoBuilder().pollInterval(Duration.ofMillis(20)).build());
    outcomes.put("done", ReportResult.ofText("done", "text/plain"));
    orchestrator.start();
    JobId id = orchestrator.submit(ReportRequest.of(ECHO, Map.of("case", "done")));

    JobSnapshot finished = orchestrator.awaitCompletion(id, ChronoUnit.FOREVER.getDuration());

    assertThat(finished.state()).isEqualTo(JobState.COMPLETED);
  }

  // ---------------------------------------------------------------------------------------------
  // generators and helpers

  private ReportOrchestrator.Builder builder() {
    return ReportOrchestrator.builder()
        .repository(repository)
        .clock(new SettableClock(START))
        .shutdownGracePeriod(Duration.ofSeconds(5))
        .workerCount(2);
  }

  private ReportOrchestrator.Builder echoBuilder() {
    return builder()
        .register(
            ECHO,
            context -> {
              Object outcome = outcomes.get(context.parameter("case"));
              if (outcome instanceof Exception failure) {
                throw failure;
              }
              return (ReportResult) outcome;
            },
            TaskOptions.DEFAULTS.withRetryPolicy(RetryPolicy.noRetries()));
  }

  private ReportOrchestrator keep(ReportOrchestrator orchestrator) {
    orchestrators.add(orchestrator);
    return orchestrator;
  }

  private void withSeed(Runnable body) {
    try {
      body.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "failed with seed " + seed + "; replay with -Dorchestrator.textSeed=" + seed, e);
    }
  }

  /** A random result, or {@code null} after checking that its construction was refused rightly. */
  private @Nullable ReportResult result() {
    String contentType = text(ReportResult.MAX_CONTENT_TYPE_LENGTH);
    String fileName = random.nextBoolean() ? null : text(ReportResult.MAX_FILE_NAME_LENGTH);
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int m = random.nextInt(3); m > 0; m--) {
      metadata.put(text(ReportResult.MAX_METADATA_LENGTH), text(ReportResult.MAX_METADATA_LENGTH));
    }
    byte[] content = new byte[random.nextInt(64)];
    random.nextBytes(content);
    boolean fit =
        fits(contentType, ReportResult.MAX_CONTENT_TYPE_LENGTH)
            && (fileName == null || fits(fileName, ReportResult.MAX_FILE_NAME_LENGTH))
            && metadata.entrySet().stream()
                .allMatch(
                    e ->
                        fits(e.getKey(), ReportResult.MAX_METADATA_LENGTH)
                            && fitsValue(e.getValue(), ReportResult.MAX_METADATA_LENGTH));
    try {
      ReportResult result = ReportResult.ofBytes(content, contentType);
      if (fileName != null) {
        result = result.withFileName(fileName);
      }
      for (Map.Entry<String, String> entry : metadata.entrySet()) {
        result = result.withMetadata(entry.getKey(), entry.getValue());
      }
      assertThat(fit).as("accepted %s", result).isTrue();
      return result;
    } catch (IllegalArgumentException refused) {
      assertThat(fit)
          .as("refused %s %s %s: %s", describe(contentType), describe(fileName), metadata, refused)
          .isFalse();
      return null;
    }
  }

  /** An exception with an arbitrary message, sometimes longer than a JobError keeps. */
  private Exception failure() {
    String message = random.nextInt(5) == 0 ? null : text(JobError.MAX_MESSAGE_LENGTH + 50);
    if (random.nextInt(10) == 0) {
      return new IllegalStateException(message) {
        private static final long serialVersionUID = 1L;

        @Override
        public String getMessage() {
          throw new UnsupportedOperationException("no message today");
        }
      };
    }
    return new IllegalStateException(message);
  }

  private @Nullable String key(Map<String, JobId> idsByKey, List<String> refusedKeys) {
    int pick = random.nextInt(10);
    if (pick < 4) {
      return null;
    }
    if (pick == 4 && !idsByKey.isEmpty()) {
      List<String> keys = List.copyOf(idsByKey.keySet());
      return keys.get(random.nextInt(keys.size()));
    }
    if (pick == 5 && !refusedKeys.isEmpty()) {
      // what PostgreSQL and H2 used to store in place of the refused key
      String refused = refusedKeys.get(random.nextInt(refusedKeys.size()));
      String lookalike =
          new String(refused.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8);
      return lookalike.replace('\u0000', '?').replace('\uFFFD', '?');
    }
    return text(ReportRequest.MAX_IDEMPOTENCY_KEY_LENGTH);
  }

  /** Arbitrary text: mostly short, sometimes exactly {@code limit} chars, one less or one more. */
  private String text(int limit) {
    int roll = random.nextInt(20);
    int length;
    if (roll == 0 && limit < Integer.MAX_VALUE) {
      length = limit;
    } else if (roll == 1 && limit < Integer.MAX_VALUE) {
      length = limit + 1;
    } else if (roll == 2 && limit < Integer.MAX_VALUE) {
      length = limit - 1;
    } else {
      length = 1 + random.nextInt(Math.min(limit, 24));
    }
    StringBuilder text = new StringBuilder(length + 1);
    while (text.length() < length) {
      int kind = random.nextInt(100);
      if (kind < 40) {
        text.append((char) (0x20 + random.nextInt(0x5F)));
      } else if (kind < 50) {
        text.append((char) (0xA0 + random.nextInt(0x490)));
      } else if (kind < 56) {
        text.append((char) (0x4E00 + random.nextInt(0x5200)));
      } else if (kind < 64) {
        text.append((char) (0x300 + random.nextInt(0x70)));
      } else if (kind < 78) {
        text.appendCodePoint(0x10000 + random.nextInt(0x100000 - 2));
      } else if (kind < 82) {
        text.append('\u0000');
      } else if (kind < 86) {
        text.append((char) (0xD800 + random.nextInt(0x400)));
      } else if (kind < 90) {
        text.append((char) (0xDC00 + random.nextInt(0x400)));
      } else {
        text.append("'\"\\%_?\n\t\uFFFD\uFEFF\uFFFF ".charAt(random.nextInt(12)));
      }
    }
    // a lone high surrogate followed by a lone low one make a pair: either is fine, the oracle
    // below decides independently of the code under test
    return text.toString();
  }

  /**
   * The oracle: whether {@code text} is non-blank, within {@code limit} chars, free of NUL and
   * well-formed UTF-16, which the UTF-8 round trip of the JDK checks independently of the code
   * under test.
   */
  private static boolean fits(String text, int limit) {
    return !text.isBlank() && fitsValue(text, limit);
  }

  private static boolean fitsValue(String text, int limit) {
    return text.length() <= limit
        && text.indexOf('\u0000') < 0
        && new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8).equals(text);
  }

  private static void assertSameRequest(JobSnapshot snapshot, ReportRequest request) {
    assertThat(snapshot.reportType()).isEqualTo(request.reportType());
    assertThat(snapshot.parameters()).isEqualTo(request.parameters());
    assertThat(snapshot.idempotencyKey()).isEqualTo(request.idempotencyKey());
  }

  private static String describe(@Nullable String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder("\"");
    text.chars()
        .forEach(
            c -> {
              if (c < 0x20 || Character.isSurrogate((char) c) || c > 0x7E) {
                out.append(String.format(java.util.Locale.ROOT, "\\u%04X", c));
              } else {
                out.append((char) c);
              }
            });
    return out.append("\" (").append(text.length()).append(" chars)").toString();
  }

  private static byte[] read(InputStream stream) {
    try (stream) {
      return stream.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
