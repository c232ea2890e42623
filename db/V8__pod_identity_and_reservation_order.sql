-- One caller must not hurt another: pod identity in allocation and release, reservations in commit order.
--
-- Why:
--   * A repeated ADD was recognised by container ID and interface alone, so a second pod presenting another
--     pod's container ID was handed that pod's address. A container ID now belongs to the pod (UID) that
--     first got an address with it: the same pod's repeat gets what it holds, another pod gets a conflict
--     answer and nothing. A DEL likewise releases a (container, interface) only for the pod UID that holds it
--     (a UID mismatch releases nothing and succeeds, as Spiderpool's release does).
--   * An allocation batch read reservations with the snapshot of the moment, so a reservation committed
--     while the batch ran (and given the lower resourceVersion) could be ignored by it: the batch handed out
--     reserved addresses after the reservation was acknowledged. Writers of reservations now take an
--     exclusive lock that allocation batches share, taken by a batch before it first reads reservations. A
--     reservation therefore waits for running batches (which commit, with lower resourceVersions, before it
--     lists the addresses in use and takes its own), and batches that start later see it.

-- The lock that orders reservation writes against allocation batches (a two-key advisory lock, a key space
-- apart from the single-key locks the store takes per kind).
CREATE FUNCTION ipam_lock_reservations_shared() RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock_shared(hashtext('ippool'), hashtext('reservations'))
$$;

CREATE FUNCTION ipam_lock_reservations() RETURNS void
LANGUAGE sql AS $$
    SELECT pg_advisory_xact_lock(hashtext('ippool'), hashtext('reservations'))
$$;

COMMENT ON FUNCTION ipam_lock_reservations_shared() IS
  'Taken by every allocation batch before it reads reservations; held until its commit.';
COMMENT ON FUNCTION ipam_lock_reservations() IS
  'Taken by a write that adds reserved addresses before it lists the addresses in use; held until its commit.';

-- ipam_allocate_batch as in V6, with the pod identity check and the reservation lock. The answer gains one
-- kind of job element: {"conflict": {"namespace", "pod", "uid"}}, the pod that holds the job's container ID
-- (nothing was allocated for the job). The "existing" elements also carry namespace, pod and uid.
CREATE OR REPLACE FUNCTION ipam_allocate_batch(p_batch jsonb) RETURNS jsonb
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
    v_owner jsonb;                  -- container id -> the pod that holds it: {namespace, pod, uid}
    v_holder jsonb;
    ex_uid text;
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
    -- Before the first read of reservations: a reservation written now waits for this batch to commit (and
    -- takes its resourceVersion after it), and one already being written is committed before this batch
    -- reads reservations. Batches share the lock, so they still run side by side.
    PERFORM ipam_lock_reservations_shared();
    v_exhausted := array_fill(false, ARRAY[greatest(v_locked, 1)]);
    v_range_first := array_fill(NULL::numeric, ARRAY[greatest(v_locked, 1)]);
    v_range_last := v_range_first;
    v_unreserved_to := v_range_first;

    SELECT jsonb_object_agg(h.container_id, h.held) INTO v_held
      FROM (SELECT a.container_id,
                   jsonb_agg(jsonb_build_object('ifName', a.if_name, 'family', a.family,
                                                'address', a.address_num::text, 'pool', a.pool,
                                                'namespace', a.pod_namespace, 'pod', a.pod_name,
                                                'uid', a.pod_uid)
                             ORDER BY a.if_name, a.family) AS held
              FROM ipam_allocations a
             WHERE a.container_id IN (SELECT x->>'container' FROM jsonb_array_elements(v_jobs) AS x)
             GROUP BY a.container_id) h;
    SELECT jsonb_object_agg(o.key, jsonb_build_object('namespace', o.value->0->>'namespace',
                                                      'pod', o.value->0->>'pod', 'uid', o.value->0->>'uid'))
      INTO v_owner
      FROM jsonb_each(coalesce(v_held, '{}'::jsonb)) AS o;
    v_owner := coalesce(v_owner, '{}'::jsonb);

    FOR ji IN 0 .. jsonb_array_length(v_jobs) - 1 LOOP
        j := v_jobs->ji;
        v_existing := v_held->(j->>'container');
        -- A container ID belongs to one pod: another pod presenting it gets nothing, not that pod's address.
        v_holder := v_owner->(j->>'container');
        IF v_holder IS NOT NULL AND v_holder->>'uid' IS DISTINCT FROM coalesce(j->>'uid', '') THEN
            v_answers := v_answers || jsonb_build_object('conflict', v_holder);
            CONTINUE;
        END IF;
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
                    SELECT a.address_num, a.pool, a.pod_uid INTO ex_num, ex_pool, ex_uid
                      FROM ipam_allocations a
                     WHERE a.container_id = j->>'container' AND a.if_name = e->>'nic' AND a.family = fam;
                    IF FOUND THEN
                        IF ex_uid IS DISTINCT FROM coalesce(j->>'uid', '') THEN
                            -- Another process gave this container to a different pod meanwhile. The batch
                            -- fails; retried alone, the request then meets that holder above and fails alone.
                            RAISE EXCEPTION 'container % was taken by another pod meanwhile', j->>'container'
                                  USING ERRCODE = 'serialization_failure';
                        END IF;
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
            IF NOT v_owner ? (j->>'container') THEN
                v_owner := v_owner || jsonb_build_object(j->>'container', jsonb_build_object(
                    'namespace', j->>'namespace', 'pod', j->>'pod', 'uid', coalesce(j->>'uid', '')));
            END IF;
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

-- ipam_release_rows as in V7, a (container, interface) DEL now also matching the pod UID.
CREATE OR REPLACE FUNCTION ipam_release_rows(p_containers text[], p_if_names text[], p_del_namespaces text[],
                                  p_del_pods text[], p_del_uids text[], p_namespaces text[], p_pods text[],
                                  p_uids text[])
    RETURNS TABLE (family smallint, address_num numeric, pool text)
LANGUAGE sql STABLE AS $$
    SELECT a.family, a.address_num, a.pool
      FROM unnest(p_containers, p_if_names, p_del_uids) AS k(cid, ifn, uid)
      JOIN ipam_allocations a ON a.container_id = k.cid AND a.if_name = k.ifn AND a.pod_uid = k.uid
    UNION
    SELECT a.family, a.address_num, a.pool
      FROM unnest(p_if_names, p_del_namespaces, p_del_pods, p_del_uids) AS k(ifn, ns, nm, uid)
      JOIN ipam_allocations a
        ON a.container_id = 'imported:' || k.uid
       AND a.pod_namespace = k.ns AND a.pod_name = k.nm AND a.pod_uid = k.uid
     WHERE a.if_name = k.ifn OR a.if_name LIKE 'unknown:%'
    UNION
    SELECT a.family, a.address_num, a.pool
      FROM unnest(p_namespaces, p_pods, p_uids) AS k(ns, nm, uid)
      JOIN ipam_allocations a ON a.pod_namespace = k.ns AND a.pod_name = k.nm
     WHERE k.uid = '' OR a.pod_uid = k.uid
$$;
-- CREATE OR REPLACE drops the settings V6 gave the function: index probes planned once per connection.
ALTER FUNCTION ipam_allocate_batch(jsonb)
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;
