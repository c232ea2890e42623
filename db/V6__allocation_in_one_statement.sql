-- An allocation batch in one statement, and one definition of what a batch publishes.
--
-- Why: an allocation batch used to be a dozen round trips inside one transaction (lock, read existing,
-- allocate per pool and round, read bodies, take a revision, bump, append the event, stamp, notify, commit),
-- and the global revision_counter lock was held across the last five of them. Each round trip costs both
-- the JVM and PostgreSQL a wake-up, which on a small machine was most of the time of an allocation. Now the
-- allocator reads the candidate pools without locking, filters and orders them in Java (Spiderpool's rules),
-- and sends the whole batch as one autocommit statement: ipam_allocate_batch. It locks the pools, checks
-- that each is still the pool the allocator filtered (ipam_pool_fingerprint; if not, it changes nothing and
-- answers "stale", and the allocator reads and plans again), allocates, and publishes. The locks, the
-- revision lock included, are held for that one statement and its commit.

-- What the allocator's filters and responses depend on: the whole stored body except its resourceVersion,
-- which every allocation batch bumps without changing anything else.
CREATE FUNCTION ipam_pool_fingerprint(p_body jsonb) RETURNS text
LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT md5((p_body #- '{metadata,resourceVersion}')::text)
$$;

COMMENT ON FUNCTION ipam_pool_fingerprint(jsonb) IS
  'Fingerprint of a stored SpiderIPPool body, ignoring metadata.resourceVersion: equal fingerprints mean the '
  'spec, labels, finalizers and deletionTimestamp the allocator filtered with are unchanged.';

-- The body of a SpiderIPPool watch event: the stored body at revision p_rv with the cheap part of the
-- status (allocatedIPCount, totalIPCount capped at 2^63-1). allocatedIPs is left to readers (see V4).
CREATE FUNCTION ipam_pool_event_body(p_body jsonb, p_rv bigint, p_count bigint, p_total numeric) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
    SELECT jsonb_set(
             jsonb_set(p_body, '{metadata,resourceVersion}', to_jsonb(p_rv::text)),
             '{status}',
             CASE WHEN jsonb_typeof(p_body->'status') = 'object' THEN p_body->'status' ELSE '{}'::jsonb END
               - 'allocatedIPs'
               || jsonb_build_object('allocatedIPCount', p_count)
               || CASE WHEN p_total IS NULL THEN '{}'::jsonb
                       ELSE jsonb_build_object('totalIPCount', least(p_total, 9223372036854775807)) END)
$$;

COMMENT ON FUNCTION ipam_pool_event_body(jsonb, bigint, bigint, numeric) IS
  'Watch event body of a SpiderIPPool at resourceVersion p_rv: the stored body plus status.allocatedIPCount and '
  'status.totalIPCount (allocatedIPs is filled in by readers from ipam_pool_status_at).';

-- Publishes what an allocation or release batch changed, as the last step of its transaction. Each pool
-- (name order) gets ONE new resourceVersion and ONE watch event however many addresses moved:
--   * MODIFIED, body without allocatedIPs (resource_events.projected);
--   * or, for a Terminating pool (deletionTimestamp set) left without allocations, the finalizer protocol:
--     finalizer spiderpool.spidernet.io is removed; if no other finalizer remains the pool row and its
--     allocator state are deleted and a DELETED event is appended, else MODIFIED with the finalizer gone.
-- The rows the batch wrote are then stamped with their pool's new resourceVersion: new allocations
-- (p_families/p_addresses, whose 'allocate' history is recorded here) and release events (p_release_events).
-- A row of a pool that got no revision (removed meanwhile) is stamped after every revision handed out so far.
-- Takes the revision_counter row lock: call it last, right before COMMIT.
CREATE FUNCTION ipam_publish_pools(p_pools text[], p_families smallint[], p_addresses numeric[],
                                   p_release_events bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_names text[];
    v_bodies jsonb[];
    v_finalize boolean[];
    v_counts bigint[];
    v_totals numeric[];
    v_rvs bigint[];
    v_last bigint;
    v_body jsonb;
    v_fins jsonb;
    n int;
BEGIN
    SELECT array_agg(r.name ORDER BY r.name), array_agg(r.body ORDER BY r.name),
           array_agg(r.deleting AND NOT EXISTS (SELECT 1 FROM ipam_allocations a WHERE a.pool = r.name)
                     ORDER BY r.name),
           array_agg(coalesce(p.allocated_count, 0) ORDER BY r.name), array_agg(p.total_ips ORDER BY r.name)
      INTO v_names, v_bodies, v_finalize, v_counts, v_totals
      FROM resources r LEFT JOIN ipam_pools p ON p.pool = r.name
     WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY (p_pools);
    n := coalesce(array_length(v_names, 1), 0);

    IF n > 0 THEN
        UPDATE revision_counter SET value = value + n RETURNING value INTO v_last;
        v_rvs := '{}';
        FOR i IN 1 .. n LOOP
            v_rvs := v_rvs || (v_last - n + i);
        END LOOP;

        UPDATE resources r
           SET resource_version = m.rv,
               body = jsonb_set(r.body, '{metadata,resourceVersion}', to_jsonb(m.rv::text))
          FROM unnest(v_names, v_rvs, v_finalize) AS m(name, rv, fin)
         WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = m.name AND NOT m.fin;
        INSERT INTO resource_events (resource_version, resource, namespace, name, event_type, body, projected)
        SELECT m.rv, 'spiderippools', '', m.name, 'MODIFIED', ipam_pool_event_body(m.body, m.rv, m.cnt, m.total),
               true
          FROM unnest(v_names, v_rvs, v_finalize, v_bodies, v_counts, v_totals) AS m(name, rv, fin, body, cnt, total)
         WHERE NOT m.fin;

        FOR i IN 1 .. n LOOP
            CONTINUE WHEN NOT v_finalize[i];
            v_body := jsonb_set(v_bodies[i], '{metadata,resourceVersion}', to_jsonb(v_rvs[i]::text));
            SELECT coalesce(jsonb_agg(f), '[]'::jsonb) INTO v_fins
              FROM jsonb_array_elements(CASE WHEN jsonb_typeof(v_body->'metadata'->'finalizers') = 'array'
                                             THEN v_body->'metadata'->'finalizers' ELSE '[]'::jsonb END) AS f
             WHERE f <> to_jsonb('spiderpool.spidernet.io'::text);
            IF jsonb_array_length(v_fins) > 0 THEN
                v_body := jsonb_set(v_body, '{metadata,finalizers}', v_fins);
                UPDATE resources SET resource_version = v_rvs[i], body = v_body - 'status'
                 WHERE resource = 'spiderippools' AND namespace = '' AND name = v_names[i];
                INSERT INTO resource_events (resource_version, resource, namespace, name, event_type, body, projected)
                VALUES (v_rvs[i], 'spiderippools', '', v_names[i], 'MODIFIED',
                        ipam_pool_event_body(v_body, v_rvs[i], 0, v_totals[i]), false);
            ELSE
                v_body := v_body #- '{metadata,finalizers}';
                DELETE FROM resources WHERE resource = 'spiderippools' AND namespace = '' AND name = v_names[i];
                DELETE FROM ipam_pools WHERE pool = v_names[i];
                INSERT INTO resource_events (resource_version, resource, namespace, name, event_type, body, projected)
                VALUES (v_rvs[i], 'spiderippools', '', v_names[i], 'DELETED',
                        ipam_pool_event_body(v_body, v_rvs[i], 0, v_totals[i]), false);
            END IF;
        END LOOP;
    END IF;

    IF coalesce(array_length(p_families, 1), 0) > 0 THEN
        WITH stamped AS (
            UPDATE ipam_allocations a
               SET revision = coalesce(v_rvs[array_position(v_names, a.pool::text)],
                                       (SELECT value + 1 FROM revision_counter))
              FROM unnest(p_families, p_addresses) AS k(f, num)
             WHERE a.family = k.f AND a.address_num = k.num
            RETURNING a.family, a.address, a.pool, a.container_id, a.if_name, a.pod_namespace, a.pod_name,
                      a.pod_uid, a.revision)
        INSERT INTO ipam_allocation_events (action, family, address, pool, container_id, if_name,
                                            pod_namespace, pod_name, pod_uid, revision)
        SELECT 'allocate', family, address, pool, container_id, if_name, pod_namespace, pod_name, pod_uid, revision
          FROM stamped;
    END IF;
    IF coalesce(array_length(p_release_events, 1), 0) > 0 THEN
        UPDATE ipam_allocation_events e
           SET revision = coalesce(v_rvs[array_position(v_names, e.pool::text)],
                                   (SELECT value + 1 FROM revision_counter))
         WHERE e.id = ANY (p_release_events);
    END IF;

    IF n > 0 THEN
        PERFORM pg_notify('ippool_events', '');
    END IF;
END $$;

COMMENT ON FUNCTION ipam_publish_pools(text[], smallint[], numeric[], bigint[]) IS
  'Last step of an allocation or release transaction: one resourceVersion and one watch event per changed pool '
  '(finalizing idle Terminating pools), the batch''s rows stamped with those revisions, one NOTIFY.';

-- One allocation batch, whole, as one statement (run it in autocommit: it is the transaction).
--
-- p_batch: {"pools": {"<name>": "<fingerprint>", ...},   every pool the plan was made from (the ones it
--                                                          filtered out too), locked in name order
--           "maxAllocated": n,                             records a pool may hold, 0 = no limit
--           "jobs": [{"container", "ifName", "namespace", "pod", "uid", "node",
--                     "entries": [{"nic", "family", "pools": ["<name>", ...]}, ...]}, ...]}
-- The pools of an entry are in the order to try them (Spiderpool's priority); jobs are served in array
-- order, lowest free address first. A job's entries succeed together or not at all. Reservations are read
-- after the pool locks are taken, so every reservation committed before the statement began is honoured.
--
-- Answer: {"stale": true} when a pool is gone or its fingerprint differs (nothing was changed), else
-- {"jobs": [...]} with one element per job:
--   {"existing": [{"ifName", "family", "address", "pool"}, ...]}  the container already holds job.ifName:
--                                                                 its allocations, nothing is allocated;
--   {"entries": [{"address", "pool", "reused"}, ...]}              every entry got an address;
--   {"entries": [..., {"reasons": ["exhausted"|"threshold", ...]}]} the last entry got none (one reason per
--                                                                 pool tried); the job's other addresses
--                                                                 were taken back.
-- Addresses are address numbers as text.
CREATE FUNCTION ipam_allocate_batch(p_batch jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_max bigint := coalesce((p_batch->>'maxAllocated')::bigint, 0);
    v_jobs jsonb := coalesce(p_batch->'jobs', '[]'::jsonb);
    -- Per locked pool (name order), what the batch knows and keeps up to date.
    v_pools text[];
    v_family smallint[];
    v_hint numeric[];
    v_count bigint[];
    v_exhausted boolean[];
    v_range_first numeric[];        -- the pool range the search is in
    v_range_last numeric[];
    v_unreserved_to numeric[];      -- no reservation covers anything from the search position to this
    v_wanted int;
    v_locked int;
    v_stale boolean;
    v_held jsonb;                   -- container id -> what it holds, for every container of the batch
    v_existing jsonb;
    v_new_fam smallint[] := '{}';   -- what the batch's successful jobs got
    v_new_num numeric[] := '{}';
    v_new_pool text[] := '{}';
    v_changed text[] := '{}';
    v_job_fam smallint[];           -- what the current job got so far
    v_job_num numeric[];
    v_job_pool text[];
    v_answers jsonb[] := '{}';
    v_entries jsonb[];
    v_reasons text[];
    v_result jsonb;
    v_failed boolean;
    v_first numeric;
    v_last numeric;
    j jsonb;
    e jsonb;
    pname text;
    k int;
    fam smallint;
    cand numeric;
    ins numeric;
    ex_num numeric;
    ex_pool text;
BEGIN
    -- Lock order of db/V2__allocator.sql: pool rows with their allocator rows, ascending name.
    WITH wanted AS (SELECT w.key AS name, w.value #>> '{}' AS fp FROM jsonb_each(p_batch->'pools') AS w)
    SELECT array_agg(x.name ORDER BY x.name), array_agg(x.family ORDER BY x.name),
           array_agg(x.free_hint ORDER BY x.name), array_agg(x.allocated_count ORDER BY x.name),
           count(*), coalesce(bool_or(x.fp IS DISTINCT FROM x.wanted_fp), false), (SELECT count(*) FROM wanted)
      INTO v_pools, v_family, v_hint, v_count, v_locked, v_stale, v_wanted
      FROM (SELECT r.name, p.family, p.free_hint, p.allocated_count, ipam_pool_fingerprint(r.body) AS fp,
                   w.fp AS wanted_fp
              FROM wanted w
              JOIN resources r ON r.resource = 'spiderippools' AND r.namespace = '' AND r.name = w.name
              JOIN ipam_pools p ON p.pool = r.name
             ORDER BY r.name
               FOR UPDATE OF r, p) x;
    IF v_stale OR v_locked <> v_wanted THEN
        RETURN '{"stale": true}'::jsonb;
    END IF;
    v_exhausted := array_fill(false, ARRAY[greatest(v_locked, 1)]);
    v_range_first := array_fill(NULL::numeric, ARRAY[greatest(v_locked, 1)]);
    v_range_last := v_range_first;
    v_unreserved_to := v_range_first;

    SELECT jsonb_object_agg(h.container_id, h.held) INTO v_held
      FROM (SELECT a.container_id,
                   jsonb_agg(jsonb_build_object('ifName', a.if_name, 'family', a.family,
                                                'address', a.address_num::text, 'pool', a.pool)
                             ORDER BY a.if_name, a.family) AS held
              FROM ipam_allocations a
             WHERE a.container_id IN (SELECT x->>'container' FROM jsonb_array_elements(v_jobs) AS x)
             GROUP BY a.container_id) h;

    FOR ji IN 0 .. jsonb_array_length(v_jobs) - 1 LOOP
        j := v_jobs->ji;
        v_existing := v_held->(j->>'container');
        -- A repeated ADD for an interface the container already has gets what it holds (CNI retries).
        IF v_existing @> jsonb_build_array(jsonb_build_object('ifName', j->>'ifName')) THEN
            v_answers := v_answers || jsonb_build_object('existing', v_existing);
            CONTINUE;
        END IF;

        v_job_fam := '{}'; v_job_num := '{}'; v_job_pool := '{}';
        v_entries := '{}';
        v_failed := false;
        <<entries>>
        FOR ei IN 0 .. coalesce(jsonb_array_length(j->'entries'), 0) - 1 LOOP
            e := j->'entries'->ei;
            v_result := NULL;
            v_reasons := '{}';
            <<pools>>
            FOR pi IN 0 .. jsonb_array_length(e->'pools') - 1 LOOP
                pname := e->'pools'->>pi;
                k := array_position(v_pools, pname);
                IF k IS NULL THEN
                    RAISE EXCEPTION 'pool % of an entry is missing from the batch''s pools', pname;
                END IF;
                fam := v_family[k];
                -- This interface already holds an address of the family (another NIC's repeat).
                FOR xi IN 0 .. coalesce(jsonb_array_length(v_existing), 0) - 1 LOOP
                    IF v_existing->xi->>'ifName' = e->>'nic' AND (v_existing->xi->>'family')::smallint = fam THEN
                        v_result := jsonb_build_object('address', v_existing->xi->>'address',
                                                       'pool', v_existing->xi->>'pool', 'reused', true);
                        EXIT pools;
                    END IF;
                END LOOP;
                IF v_max > 0 AND v_count[k] >= v_max THEN
                    v_reasons := v_reasons || 'threshold'::text;
                    CONTINUE pools;
                END IF;
                -- The lowest free address at or above the hint (as ipam_lowest_free finds it), remembering
                -- per pool the range it is in and how far up no reservation starts: consecutive
                -- allocations then cost one INSERT each.
                cand := v_hint[k];
                WHILE NOT v_exhausted[k] LOOP
                    IF v_range_last[k] IS NULL OR cand > v_range_last[k] THEN
                        SELECT r.first_num, r.last_num INTO v_first, v_last
                          FROM ipam_pool_ranges r
                         WHERE r.pool = pname AND r.last_num >= cand
                         ORDER BY r.last_num
                         LIMIT 1;
                        IF NOT FOUND THEN
                            v_exhausted[k] := true;
                            EXIT;
                        END IF;
                        v_range_first[k] := v_first;
                        v_range_last[k] := v_last;
                    END IF;
                    IF cand < v_range_first[k] THEN
                        cand := v_range_first[k];
                    END IF;
                    IF v_unreserved_to[k] IS NULL OR cand > v_unreserved_to[k] THEN
                        SELECT max(rr.last_num) INTO v_last
                          FROM ipam_reserved_ranges rr WHERE rr.span @> cand AND rr.family = fam;
                        IF v_last IS NOT NULL THEN
                            cand := v_last + 1;
                            CONTINUE;
                        END IF;
                        -- cand is not reserved, and nothing is up to where the next reservation starts.
                        SELECT coalesce(min(rr.first_num) - 1, 340282366920938463463374607431768211455)
                          INTO v_last
                          FROM ipam_reserved_ranges rr WHERE rr.family = fam AND rr.first_num > cand;
                        v_unreserved_to[k] := v_last;
                    END IF;
                    ins := NULL;
                    INSERT INTO ipam_allocations AS a (family, address_num, address, pool, container_id, if_name,
                                                       pod_namespace, pod_name, pod_uid, node_name)
                    VALUES (fam, cand,
                            CASE WHEN fam = 4 THEN '0.0.0.0'::inet + cand::bigint ELSE ipam_num_to_inet(fam, cand) END,
                            pname, j->>'container', e->>'nic', j->>'namespace', j->>'pod', j->>'uid',
                            coalesce(j->>'node', ''))
                    ON CONFLICT DO NOTHING
                    RETURNING a.address_num INTO ins;
                    IF ins IS NOT NULL THEN
                        v_hint[k] := cand + 1;
                        v_count[k] := v_count[k] + 1;
                        v_job_fam := v_job_fam || fam;
                        v_job_num := v_job_num || cand;
                        v_job_pool := v_job_pool || pname;
                        v_result := jsonb_build_object('address', cand::text, 'pool', pname, 'reused', false);
                        EXIT pools;
                    END IF;
                    -- Conflict. Usually cand is held (by this pool or an overlapping one): go past the run of
                    -- held addresses that starts there.
                    SELECT a.address_num + 1 INTO v_first
                      FROM ipam_allocations a
                     WHERE a.family = fam AND a.address_num >= cand
                       AND EXISTS (SELECT 1 FROM ipam_allocations c WHERE c.family = fam AND c.address_num = cand)
                       AND NOT EXISTS (SELECT 1 FROM ipam_allocations b
                                        WHERE b.family = fam AND b.address_num = a.address_num + 1)
                     ORDER BY a.address_num
                     LIMIT 1;
                    IF FOUND THEN
                        cand := v_first;
                        -- Everything from the hint up to cand was outside the ranges, reserved or held.
                        v_hint[k] := cand;
                        CONTINUE;
                    END IF;
                    -- cand is free: another process has just given this interface an address (hand that
                    -- back), or cand's holder let go in between (try cand again).
                    SELECT a.address_num, a.pool INTO ex_num, ex_pool
                      FROM ipam_allocations a
                     WHERE a.container_id = j->>'container' AND a.if_name = e->>'nic' AND a.family = fam;
                    IF FOUND THEN
                        v_result := jsonb_build_object('address', ex_num::text, 'pool', ex_pool, 'reused', true);
                        EXIT pools;
                    END IF;
                END LOOP;
                v_reasons := v_reasons || 'exhausted'::text;
            END LOOP pools;
            IF v_result IS NULL THEN
                v_entries := v_entries || jsonb_build_object('reasons', to_jsonb(v_reasons));
                v_failed := true;
                EXIT entries;
            END IF;
            v_entries := v_entries || v_result;
        END LOOP entries;

        IF v_failed AND cardinality(v_job_num) > 0 THEN
            -- The job failed as a whole: take back what it got here.
            DELETE FROM ipam_allocations a
             USING unnest(v_job_fam, v_job_num) AS u(f, num)
             WHERE a.family = u.f AND a.address_num = u.num;
            FOR i IN 1 .. cardinality(v_job_num) LOOP
                k := array_position(v_pools, v_job_pool[i]);
                v_hint[k] := least(v_hint[k], v_job_num[i]);
                v_count[k] := v_count[k] - 1;
                v_exhausted[k] := false;
                v_range_first[k] := NULL;
                v_range_last[k] := NULL;
                v_unreserved_to[k] := NULL;
            END LOOP;
        ELSIF NOT v_failed THEN
            v_new_fam := v_new_fam || v_job_fam;
            v_new_num := v_new_num || v_job_num;
            v_new_pool := v_new_pool || v_job_pool;
            FOR i IN 1 .. cardinality(v_job_pool) LOOP
                IF array_position(v_changed, v_job_pool[i]) IS NULL THEN
                    v_changed := v_changed || v_job_pool[i];
                END IF;
            END LOOP;
        END IF;
        v_answers := v_answers || jsonb_build_object('entries', to_jsonb(v_entries));
    END LOOP;

    IF v_locked > 0 THEN
        UPDATE ipam_pools p SET free_hint = u.hint, allocated_count = u.cnt
          FROM unnest(v_pools, v_hint, v_count) AS u(pool, hint, cnt)
         WHERE p.pool = u.pool AND (p.free_hint <> u.hint OR p.allocated_count <> u.cnt);
    END IF;
    IF cardinality(v_changed) > 0 THEN
        PERFORM ipam_publish_pools(v_changed, v_new_fam, v_new_num, '{}');
    END IF;
    RETURN jsonb_build_object('jobs', to_jsonb(v_answers));
END $$;

-- Every statement in these functions is an index probe, planned once per connection and reused: no
-- per-call planning (which, with the inlining of SQL functions, cost as much as executing them), and plans
-- that do not depend on the statistics of the moment. Made while a fresh table was tiny, PostgreSQL's own
-- choice kept a probe as a scan of the wrong index while the table grew (a batch slowed from 4 to 25 ms in
-- seconds); without sequential scans on offer the probes stay probes. The one-row revision_counter is still
-- scanned, at the penalty cost, which must not make the statement look expensive enough to compile: no JIT.
ALTER FUNCTION ipam_allocate_batch(jsonb)
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;
ALTER FUNCTION ipam_publish_pools(text[], smallint[], numeric[], bigint[])
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;

COMMENT ON FUNCTION ipam_allocate_batch(jsonb) IS
  'One allocation batch as one statement: locks the pools, checks their fingerprints, allocates the lowest '
  'free address per entry (ranges minus reservations minus allocations), publishes the changed pools.';

-- "Where does the next reservation start": the allocator's bound on a run of unreserved addresses.
CREATE INDEX ipam_reserved_ranges_by_first ON ipam_reserved_ranges (family, first_num);

-- Replaced by ipam_allocate_batch.
DROP FUNCTION ipam_allocate(text, text[], text[], text[], text[], text[], text[], bigint);
