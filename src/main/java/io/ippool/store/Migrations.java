package io.ippool.store;

import org.flywaydb.core.Flyway;

/** Applies the SQL in db/ (shipped on the classpath as classpath:db) with Flyway. */
public final class Migrations {
  private Migrations() {
  }

  public static int migrate(DatabaseUrl url) {
    Flyway flyway = Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations("classpath:db")
        .loggers("slf4j")
        .load();
    return flyway.migrate().migrationsExecuted;
  }
}
