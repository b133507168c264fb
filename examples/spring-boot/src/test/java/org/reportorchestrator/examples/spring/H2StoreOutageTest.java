package org.reportorchestrator.examples.spring;

import java.sql.SQLException;
import org.h2.tools.Server;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The store outage on H2 reached over TCP, from an H2 server that this class starts and stops: the
 * one way to take an H2 database away from a running application (an embedded one lives in the
 * application's own JVM).
 */
class H2StoreOutageTest extends StoreOutageContract {

  private static Server server;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry properties) {
    try {
      server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    } catch (SQLException e) {
      throw new IllegalStateException("cannot start an H2 TCP server", e);
    }
    String url =
        "jdbc:h2:tcp://localhost:"
            + server.getPort()
            + "/mem:"
            + TestDatabases.uniqueName("outage")
            + ";DB_CLOSE_DELAY=-1";
    properties.add("spring.datasource.url", () -> url);
  }

  @Override
  void stopDatabase() {
    server.stop();
  }
}
