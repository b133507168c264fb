package org.reportorchestrator.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The example application. Its settings are in {@code application.yml}: an in-memory H2 database by
 * default, or any {@code spring.datasource.*}. Run it with {@code mvn -q -pl examples/spring-boot
 * -am -DskipTests package exec:java}; see docs/examples.md.
 */
@SpringBootApplication
public class ReportsApplication {

  public static void main(String[] args) {
    SpringApplication.run(ReportsApplication.class, args);
  }
}
