/** Report Orchestrator's durable job store on PostgreSQL and H2, through Jdbi and HikariCP. */
module org.reportorchestrator.jdbc {
  requires transitive org.reportorchestrator.core;
  requires transitive java.sql;
  requires org.jdbi.v3.core;
  requires com.zaxxer.hikari;
  requires com.fasterxml.jackson.core;
  requires com.fasterxml.jackson.databind;
  requires org.slf4j;
  requires static org.jspecify;
  // optional: only a store on PostgreSQL listens for notifications (pgjdbc's module name)
  requires static org.postgresql.jdbc;

  exports org.reportorchestrator.jdbc;
}
