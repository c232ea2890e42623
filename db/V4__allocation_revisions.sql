-- SpiderIPPool status.allocatedIPs at any resourceVersion, computed when read instead of copied into every
-- watch event. (V3 is the reporting migration.)
--
-- Why: every allocation batch bumps its pool's resourceVersion and appends a MODIFIED event. With the whole
-- allocatedIPs map in the event body, a batch on a 99%-full /16 built and wrote ~4 MB (~250 ms) although
-- finding the address took 0.37 ms. Now each allocation and release is stamped with the resourceVersion of
-- the batch that made it, the event body leaves allocatedIPs out (resource_events.projected), and readers
-- rebuild the map exactly as it was at the event's revision with ipam_pool_status_at(pool, revision).
--
-- The state of pool P at revision R:
--     rows of ipam_allocations of P with revision <= R
--   + release events of P with revision > R whose allocation had allocated_revision <= R
-- (released later, but held at R). The two parts are disjoint: an address is held by one pod at a time.
-- Only release events NEWER than R are needed, and readers never ask for R < compaction_state.
-- compacted_before, so pruning ipam_allocation_events is safe as long as it keeps every event with
-- revision > compacted_before (or revision IS NULL, which pruning by time removes anyway: harmless).

ALTER TABLE ipam_allocations ADD COLUMN revision bigint;
COMMENT ON COLUMN ipam_allocations.revision IS
  'resourceVersion of the batch that allocated the address: the pool''s resourceVersion bump of that '
  'transaction. NULL for allocations made before this column existed (treated as revision 0, i.e. held '
  'since before the retained history).';

COMMENT ON TABLE ipam_allocation_events IS
  'Append-only history of allocations and releases, written in the same transaction as the change; never '
  'read by the allocator. For reporting (who held 10.0.0.5 last Tuesday?) and, for events newer than '
  'compaction_state.compacted_before, to rebuild SpiderIPPool status.allocatedIPs at past resourceVersions.';

ALTER TABLE ipam_allocation_events ADD COLUMN revision bigint;
ALTER TABLE ipam_allocation_events ADD COLUMN allocated_revision bigint;
COMMENT ON COLUMN ipam_allocation_events.revision IS
  'resourceVersion of the batch that allocated or released the address (the pool''s resourceVersion bump '
  'of that transaction). NULL for events recorded before this column existed. Events with revision > '
  'compaction_state.compacted_before must be kept: SpiderIPPool watch history is rebuilt from them.';
COMMENT ON COLUMN ipam_allocation_events.allocated_revision IS
  'For release events: ipam_allocations.revision of the allocation that was released (NULL when it '
  'predates revisions). NULL for allocate events.';

-- "Release events of pool P newer than R": what history materialisation reads besides ipam_allocations.
CREATE INDEX ipam_allocation_events_by_pool_revision ON ipam_allocation_events (pool, revision)
  WHERE action = 'release';

ALTER TABLE resource_events ADD COLUMN projected boolean NOT NULL DEFAULT false;
COMMENT ON COLUMN resource_events.projected IS
  'true: the body of this SpiderIPPool event has no status.allocatedIPs; readers set status.allocatedIPs '
  'and status.allocatedIPCount from ipam_pool_status_at(name, revision), the state at this event''s '
  'resource_version (or at any later revision up to the next event of the object: nothing changed '
  'between). false: the body is complete as stored.';

-- The one definition of SpiderIPPool's allocatedIPs text: Go's json.Marshal of map[ip]{pod, podUid}
-- (keys sorted bytewise, so "10.0.0.10" before "10.0.0.2"; no spaces). Built in SQL: shipping every row to
-- the JVM to concatenate it there costs more than the text itself.
CREATE FUNCTION ipam_pool_status_at(p_pool text, p_at bigint)
RETURNS TABLE (allocated_count bigint, allocated_ips text)
LANGUAGE sql STABLE AS $$
    SELECT count(*),
           '{' || string_agg(to_json(host(x.address))::text || ':{"pod":'
                 || to_json(x.pod_namespace || '/' || x.pod_name)::text || ',"podUid":'
                 || to_json(x.pod_uid)::text || '}', ',' ORDER BY host(x.address) COLLATE "C") || '}'
      FROM (SELECT a.address, a.pod_namespace, a.pod_name, a.pod_uid
              FROM ipam_allocations a
             WHERE a.pool = p_pool AND (p_at IS NULL OR coalesce(a.revision, 0) <= p_at)
            UNION ALL
            SELECT e.address, e.pod_namespace, e.pod_name, e.pod_uid
              FROM ipam_allocation_events e
             WHERE p_at IS NOT NULL AND e.pool = p_pool AND e.action = 'release' AND e.revision > p_at
               AND coalesce(e.allocated_revision, 0) <= p_at) x
$$;

COMMENT ON FUNCTION ipam_pool_status_at(text, bigint) IS
  'SpiderIPPool status.allocatedIPCount and status.allocatedIPs (NULL when none) of a pool at resourceVersion '
  'p_at, or now when p_at is NULL. Exact for any p_at >= compaction_state.compacted_before.';

-- Reporting retention must not take history the watch path still needs: a pool's allocatedIPs at a revision
-- r >= compaction_state.compacted_before is rebuilt from release events newer than r. Only events at or below
-- the compaction point (or from before revisions existed) may be pruned, however old they are.
CREATE OR REPLACE FUNCTION reporting.prune_allocation_events(keep interval, max_rows integer DEFAULT 50000)
RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    IF keep IS NULL OR keep < interval '0' THEN
        RAISE EXCEPTION 'retention must be a non-negative interval, got %', keep;
    END IF;
    DELETE FROM ipam_allocation_events
     WHERE id IN (SELECT id FROM ipam_allocation_events
                   WHERE at < now() - keep
                     AND (revision IS NULL
                          OR revision <= (SELECT compacted_before FROM compaction_state))
                   ORDER BY at
                   LIMIT max_rows);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
REVOKE ALL ON FUNCTION reporting.prune_allocation_events(interval, integer) FROM PUBLIC;
COMMENT ON FUNCTION reporting.prune_allocation_events(interval, integer) IS
  'Retention: deletes allocation events older than keep (at most max_rows per call) that the watch history no '
  'longer needs (revision at or below compaction_state.compacted_before); returns how many.';
