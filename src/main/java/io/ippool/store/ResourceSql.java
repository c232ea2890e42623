package io.ippool.store;

/** DML on the resources table and its history. Names are logged with timings at TRACE. */
final class ResourceSql {
  private ResourceSql() {
  }

  static final String REPEATABLE_READ = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY";

  /** Serialises writes of one kind: cross-object rules (pools must not overlap) need a stable view. */
  static final String LOCK_KIND = "SELECT pg_advisory_xact_lock(hashtext($1))";

  static final String GET = """
      SELECT body FROM resources WHERE resource = $1 AND namespace = $2 AND name = $3""";

  static final String GET_FOR_UPDATE = GET + " FOR UPDATE";

  static final String ALL = """
      SELECT body FROM resources WHERE resource = $1 ORDER BY namespace, name""";

  static final String EXISTS = """
      SELECT deleting FROM resources WHERE resource = $1 AND namespace = $2 AND name = $3""";

  /** Keyset page of the current state. $2 = namespace or NULL for all; ($3,$4) = continue after. */
  static final String LIST_CURRENT = """
      SELECT namespace, name, body FROM resources
      WHERE resource = $1 AND ($2::text IS NULL OR namespace = $2)
        AND (namespace, name) > ($3, $4)
      ORDER BY namespace, name
      LIMIT $5""";

  /**
   * Keyset page of the state at revision $5, rebuilt from the event log: the newest event at or below $5
   * for each object, dropping deleted ones. Compaction keeps the newest event of every live object, so
   * this is exact for any revision not older than compaction_state.compacted_before. Rows with
   * {@code projected} still need their kind's projection at $5.
   */
  static final String LIST_AT_REVISION = """
      SELECT namespace, name, body, projected FROM (
        SELECT DISTINCT ON (namespace, name) namespace, name, event_type, body, projected
        FROM resource_events
        WHERE resource = $1 AND ($2::text IS NULL OR namespace = $2)
          AND (namespace, name) > ($3, $4) AND resource_version <= $5
        ORDER BY namespace, name, resource_version DESC
      ) latest
      WHERE event_type <> 'DELETED'
      ORDER BY namespace, name
      LIMIT $6""";

  static final String COMPACTED_BEFORE = "SELECT compacted_before FROM compaction_state";

  static final String INSERT = """
      INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, deleting, body)
      VALUES ($1, $2, $3, $4::uuid, $5, $6::timestamptz, $7, $8::jsonb)""";

  static final String UPDATE = """
      UPDATE resources SET resource_version = $4, deleting = $5, body = $6::jsonb
      WHERE resource = $1 AND namespace = $2 AND name = $3""";

  static final String DELETE = """
      DELETE FROM resources WHERE resource = $1 AND namespace = $2 AND name = $3""";
}
