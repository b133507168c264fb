package org.reportorchestrator.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.reportorchestrator.JobId;
import org.reportorchestrator.ReportResult;
import org.reportorchestrator.StorageException;
import org.reportorchestrator.spi.ClaimRequest;
import org.reportorchestrator.spi.JobEvent;
import org.reportorchestrator.spi.JobEventFeed;
import org.reportorchestrator.spi.NewJob;
import org.reportorchestrator.spi.StoredJob;
import org.reportorchestrator.spi.Transition;

/**
 * What a PostgreSQL store's writes notify, read through its own event feed. Each check ends with a
 * marker job of its own type: notifications of one channel arrive in commit order, so everything
 * the writes before it sent has arrived once the marker has, and nothing has to be waited out.
 */
class PostgresEventFeedTest {

  private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
  private static final Duration BOUND = Duration.ofSeconds(30);

  private final PostgresNodes nodes = new PostgresNodes();
  private final JdbcJobRepository store = nodes.openStore();
  private final JobEventFeed feed = store.openEventFeed().orElseThrow();

  @AfterEach
  void close() throws Exception {
    feed.close();
    nodes.close();
  }

  @Test
  void aBatchSendsOneNotificationPerReportType() {
    List<NewJob> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      batch.add(job("a"));
    }
    batch.add(job("b"));
    batch.add(job("a"));
    store.insert(batch);

    assertThat(eventsUntilMarker())
        .containsExactly(new JobEvent.Submitted("a"), new JobEvent.Submitted("b"));
  }

  @Test
  void aJobClaimedAsItIsStoredNotifiesNobodyAndOneStoredQueuedItsType() {
    ClaimRequest node = new ClaimRequest("node", Set.of("a"), 1, NOW, NOW.plusSeconds(60));

    assertThat(store.insertAndClaim(job("a"), node)).isPresent();
    assertThat(eventsUntilMarker()).isEmpty();

    store.insert(List.of(job("a")));
    assertThat(eventsUntilMarker()).containsExactly(new JobEvent.Submitted("a"));
    // a due job of the node's type waits: the next submit is stored queued, and says so
    assertThat(store.insertAndClaim(job("a"), node)).isEmpty();
    assertThat(eventsUntilMarker()).containsExactly(new JobEvent.Submitted("a"));
  }

  @Test
  void aCancellationRequestOfARunningJobNotifiesItsIdAndOfAQueuedOneNothing() {
    NewJob queued = job("a");
    store.insert(List.of(queued));
    assertThat(eventsUntilMarker()).containsExactly(new JobEvent.Submitted("a"));

    assertThat(store.requestCancellation(queued.id(), NOW)).isFalse();
    assertThat(eventsUntilMarker()).isEmpty();

    store.claim(new ClaimRequest("node", Set.of("a"), 1, NOW, NOW.plusSeconds(60), Map.of()));
    assertThat(store.requestCancellation(queued.id(), NOW)).isTrue();
    assertThat(eventsUntilMarker())
        .containsExactly(new JobEvent.CancellationRequested(queued.id()));
  }

  @Test
  void aJobReleasedBackToRequestedNotifiesItsTypeAndACompletedOneNothing() {
    store.insert(List.of(job("a"), job("b")));
    assertThat(eventsUntilMarker())
        .containsExactly(new JobEvent.Submitted("a"), new JobEvent.Submitted("b"));
    List<StoredJob> claimed =
        store.claim(
            new ClaimRequest("node", Set.of("a", "b"), 2, NOW, NOW.plusSeconds(60), Map.of()));
    StoredJob a = claimed.stream().filter(job -> job.reportType().equals("a")).findFirst().get();
    StoredJob b = claimed.stream().filter(job -> job.reportType().equals("b")).findFirst().get();

    assertThat(
            store.apply(
                List.of(
                    new Transition.Completed(a.lease(), NOW, ReportResult.empty()),
                    new Transition.Released(b.lease(), NOW))))
        .containsExactly(true, true);

    assertThat(eventsUntilMarker()).containsExactly(new JobEvent.Submitted("b"));
  }

  @Test
  void anOperatorsRetryNotifiesThatItsTypeHasAJobDue() {
    NewJob job = job("a");
    store.insert(List.of(job));
    assertThat(store.cancelQueued(job.id(), NOW)).isTrue();
    assertThat(eventsUntilMarker()).containsExactly(new JobEvent.Submitted("a"));

    assertThat(store.requeue(job.id(), NOW)).isTrue();

    assertThat(eventsUntilMarker()).containsExactly(new JobEvent.Submitted("a"));
  }

  @Test
  void storesOnOtherTablesOrWithNotificationsOffWakeNobodyHere() {
    JdbcJobRepository silent =
        nodes.keep(
            JdbcJobRepository.builder()
                .jdbcUrl(TestPostgres.jdbcUrl())
                .tablePrefix(nodes.prefix())
                .notifications(false)
                .build());
    String otherPrefix = TablePrefixes.unique();
    try (JdbcJobRepository other =
        JdbcJobRepository.builder()
            .jdbcUrl(TestPostgres.jdbcUrl())
            .tablePrefix(otherPrefix)
            .build()) {
      assertThat(silent.openEventFeed()).isEmpty();
      assertThat(other.eventChannel()).isNotEqualTo(store.eventChannel());

      silent.insert(List.of(job("a")));
      other.insert(List.of(job("a")));

      assertThat(eventsUntilMarker()).isEmpty();
    } finally {
      TestPostgres.dropTables(otherPrefix);
    }
  }

  @Test
  void aListeningConnectionThatStopsAnsweringWithoutClosingBreaksTheFeed() throws Exception {
    PGSimpleDataSource server = new PGSimpleDataSource();
    server.setURL(TestPostgres.jdbcUrl());
    try (BlackHoleProxy proxy =
        new BlackHoleProxy(server.getServerNames()[0], server.getPortNumbers()[0])) {
      PGSimpleDataSource viaProxy = new PGSimpleDataSource();
      viaProxy.setURL(TestPostgres.jdbcUrl());
      viaProxy.setServerNames(new String[] {proxy.address().getHostString()});
      viaProxy.setPortNumbers(new int[] {proxy.address().getPort()});
      JobEventFeed proxied =
          PostgresEventFeed.listen(
              viaProxy.getConnection(),
              Objects.requireNonNull(store.eventChannel()),
              Duration.ofSeconds(1),
              Duration.ofSeconds(2));
      try {
        store.insert(List.of(job("a")));
        await()
            .atMost(BOUND)
            .until(() -> proxied.await(Duration.ofMillis(200)), events -> !events.isEmpty());

        proxy.blackHole();

        // reading alone would hear nothing, forever; the probe after a quiet second fails
        await()
            .atMost(BOUND)
            .untilAsserted(
                () ->
                    assertThatThrownBy(() -> proxied.await(Duration.ofMillis(200)))
                        .isInstanceOf(StorageException.class));
      } finally {
        proxy.close(); // first, so that closing the feed cannot wait on the black hole
        proxied.close();
      }
    }
  }

  @Test
  void aBorrowedConnectionGoesBackWithItsOwnNetworkTimeout() throws Exception {
    try (Connection connection = TestPostgres.dataSource().getConnection()) {
      connection.setNetworkTimeout(Runnable::run, 123_000);
      // as a host's pool hands it out: close() gives it back, the connection stays open
      Connection borrowed =
          (Connection)
              Proxy.newProxyInstance(
                  Connection.class.getClassLoader(),
                  new Class<?>[] {Connection.class},
                  (proxy, method, args) ->
                      method.getName().equals("close") ? null : method.invoke(connection, args));

      PostgresEventFeed.listen(borrowed, Objects.requireNonNull(store.eventChannel())).close();

      assertThat(connection.getNetworkTimeout()).isEqualTo(123_000);
    }
  }

  @Test
  void aStoreGivenAHikariConfigListensOnAConnectionOfThatPool() throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(TestPostgres.jdbcUrl());
    config.setConnectionInitSql("SET application_name = 'orchestrator_feed_test'");
    JdbcJobRepository configured =
        nodes.keep(
            JdbcJobRepository.builder().hikariConfig(config).tablePrefix(nodes.prefix()).build());
    try (PostgresEventFeed pooled = (PostgresEventFeed) configured.openEventFeed().orElseThrow();
        Connection connection = TestPostgres.dataSource().getConnection();
        PreparedStatement query =
            connection.prepareStatement(
                "SELECT application_name FROM pg_stat_activity WHERE pid = ?")) {
      query.setInt(1, pooled.backendPid());
      try (ResultSet row = query.executeQuery()) {
        assertThat(row.next()).isTrue();
        assertThat(row.getString(1)).isEqualTo("orchestrator_feed_test");
      }
    }
  }

  @Test
  void aChannelIsTheTablePrefixAndAHashOfTheSchema() {
    assertThat(EventPayloads.channel("public", "Orch_"))
        .isEqualTo(EventPayloads.channel("public", "orch_"))
        .startsWith("orch_events_")
        .hasSize("orch_events_".length() + 12)
        .isNotEqualTo(EventPayloads.channel("tenant_2", "orch_"));
    assertThat(EventPayloads.channel("public", "a".repeat(41))).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void payloadsThatThisVersionDoesNotKnowAreIgnored() {
    JobId id = new JobId(UUID.randomUUID());
    assertThat(EventPayloads.parse("c:" + id)).isEqualTo(new JobEvent.CancellationRequested(id));
    assertThat(EventPayloads.parse("s:report")).isEqualTo(new JobEvent.Submitted("report"));
    assertThat(EventPayloads.parse("c:not-an-id")).isNull();
    assertThat(EventPayloads.parse("s:")).isNull();
    assertThat(EventPayloads.parse("x:whatever")).isNull();
  }

  /** The events before the marker's, which this inserts now. */
  private List<JobEvent> eventsUntilMarker() {
    JobEvent marker = new JobEvent.Submitted("marker");
    store.insert(List.of(job("marker")));
    List<JobEvent> events = new ArrayList<>();
    long deadline = System.nanoTime() + BOUND.toNanos();
    while (!events.contains(marker)) {
      assertThat(System.nanoTime() - deadline).as("marker arrived in time").isNegative();
      events.addAll(feed.await(Duration.ofSeconds(1)));
    }
    return events.subList(0, events.indexOf(marker));
  }

  private static NewJob job(String type) {
    return new NewJob(
        new JobId(UUID.randomUUID()), type, Map.of(), null, 0, NOW, 3, Duration.ofMinutes(5), NOW);
  }
}
