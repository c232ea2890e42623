-- Pods that vanish: SpiderEndpoint records written with the allocation, and garbage collection of
-- addresses whose pod is gone.
--
-- Why: in a cluster a CNI DEL does not always come (a node dies, kubelet loses its state, a pod is
-- force-deleted), and nothing else freed those addresses. Spiderpool users also read each pod's addresses
-- from its SpiderEndpoint (`kubectl get se`), which must never be out of step with the allocation rows, so it
-- is written by the same statement that allocates or releases.
--
-- The allocator and the release path keep calling ipam_allocate_batch and ipam_release_batch unchanged; the
-- wrappers below (ipam_allocate_recorded, ipam_release_recorded) call them and then bring the SpiderEndpoints
-- of the pods they touched up to date, in the same transaction. ipam_gc_reclaim is the collector's one
-- statement per batch.

ALTER TABLE ipam_allocation_events ADD COLUMN reason text;
COMMENT ON COLUMN ipam_allocation_events.reason IS
  'For releases by the garbage collector: why the address was reclaimed (pod_deleted, pod_uid_changed, '
  'terminating_past_grace, pod_finished, node_deleted, statefulset_scaled_down, statefulset_deleted, '
  'statefulset_pool_changed); statefulset_adopted when a re-created StatefulSet pod took the address over (an '
  'allocate row for the new pod follows at the same revision). NULL for allocations and for releases asked '
  'for by a CNI DEL.';

-- "Every address of pod ns/name" for SpiderEndpoint rebuilding and StatefulSet adoption.
-- (ipam_allocations_by_pod already indexes (pod_namespace, pod_name).)

-- ---------------------------------------------------------------------------------------------------------
-- SpiderEndpoint records

-- The SpiderEndpoint of each named pod, rebuilt from its allocation rows, written with its own resourceVersion
-- and watch event when it changed; deleted when the pod holds nothing any more.
--
-- Which pod UID is current: the one given (an ADD's pod), else the endpoint's status.current.uid, else the UID
-- of the pod's newest allocation. Only that UID's rows are listed: a pod re-created under the same name gets
-- its own record while the old UID's addresses wait for the collector.
--
-- Entries: one per interface, ipv4/ipv6 as address/prefix with the pool, the pool's gateway and vlan. Fields
-- the endpoint already had for that interface (an imported record's mac, routes, cleanGateway) are kept; an
-- imported address whose interface Spiderpool did not name keeps the imported entry that lists it.
-- p_owner_types/p_owner_names: the pod's top controller ('' = keep what the record says, else Pod/<pod>).
CREATE FUNCTION ipam_sync_endpoints(p_namespaces text[], p_names text[], p_uids text[], p_owner_types text[],
                                    p_owner_names text[]) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    v_ns text[];
    v_name text[];
    v_old jsonb[];
    v_new jsonb[];
    v_deleting boolean[];
    v_n int;
    v_last bigint;
BEGIN
    WITH req AS (
        SELECT DISTINCT ON (u.ns, u.nm) u.ns, u.nm, nullif(u.uid, '') AS uid, nullif(u.ot, '') AS ot,
               nullif(u.onm, '') AS onm
          FROM unnest(p_namespaces, p_names, p_uids, p_owner_types, p_owner_names) AS u(ns, nm, uid, ot, onm)
         ORDER BY u.ns, u.nm, (u.uid = ''), (u.ot = '')
    ), cur AS (
        SELECT q.ns, q.nm, q.ot, q.onm, r.body AS old, r.deleting,
               coalesce(q.uid, r.body #>> '{status,current,uid}',
                        (SELECT a.pod_uid FROM ipam_allocations a
                          WHERE a.pod_namespace = q.ns AND a.pod_name = q.nm
                          ORDER BY a.allocated_at DESC LIMIT 1)) AS uid
          FROM req q
          LEFT JOIN resources r ON r.resource = 'spiderendpoints' AND r.namespace = q.ns AND r.name = q.nm
    ), held AS (
        -- The newest row per (interface, family) of the current UID (a re-created sandbox may hold two).
        SELECT DISTINCT ON (c.ns, c.nm, a.if_name, a.family)
               c.ns, c.nm, a.if_name, a.family, a.address, a.pool, a.node_name,
               host(a.address) || '/' || coalesce(p.prefix_length, CASE WHEN a.family = 4 THEN 32 ELSE 128 END) AS cidr,
               pr.body -> 'spec' AS spec
          FROM cur c
          JOIN ipam_allocations a ON a.pod_namespace = c.ns AND a.pod_name = c.nm AND a.pod_uid = c.uid
          LEFT JOIN ipam_pools p ON p.pool = a.pool
          LEFT JOIN resources pr ON pr.resource = 'spiderippools' AND pr.namespace = '' AND pr.name = a.pool
         ORDER BY c.ns, c.nm, a.if_name, a.family, a.allocated_at DESC
    ), named AS (
        SELECT h.ns, h.nm, h.if_name,
               jsonb_strip_nulls(jsonb_build_object(
                   'interface', h.if_name,
                   'ipv4', max(h.cidr) FILTER (WHERE h.family = 4),
                   'ipv4Pool', max(h.pool) FILTER (WHERE h.family = 4),
                   'ipv4Gateway', max(h.spec ->> 'gateway') FILTER (WHERE h.family = 4),
                   'ipv6', max(h.cidr) FILTER (WHERE h.family = 6),
                   'ipv6Pool', max(h.pool) FILTER (WHERE h.family = 6),
                   'ipv6Gateway', max(h.spec ->> 'gateway') FILTER (WHERE h.family = 6),
                   'vlan', coalesce(max((h.spec ->> 'vlan')::int), 0))) AS entry
          FROM held h
         WHERE h.if_name NOT LIKE 'unknown:%'
         GROUP BY h.ns, h.nm, h.if_name
    ), entries AS (
        SELECT c.ns, c.nm, coalesce(old_e.e, '{}'::jsonb) || n.entry AS e, n.if_name AS sort_key
          FROM cur c JOIN named n ON n.ns = c.ns AND n.nm = c.nm
          LEFT JOIN LATERAL (
              SELECT x AS e FROM jsonb_array_elements(
                       CASE WHEN c.old #>> '{status,current,uid}' = c.uid
                                 AND jsonb_typeof(c.old #> '{status,current,ips}') = 'array'
                            THEN c.old #> '{status,current,ips}' ELSE '[]'::jsonb END) x
               WHERE x ->> 'interface' = n.if_name LIMIT 1) old_e ON true
        UNION ALL
        SELECT c.ns, c.nm, x, x ->> 'interface'
          FROM cur c
          CROSS JOIN LATERAL jsonb_array_elements(
                   CASE WHEN c.old #>> '{status,current,uid}' = c.uid
                             AND jsonb_typeof(c.old #> '{status,current,ips}') = 'array'
                        THEN c.old #> '{status,current,ips}' ELSE '[]'::jsonb END) x
         WHERE NOT EXISTS (SELECT 1 FROM named n WHERE n.ns = c.ns AND n.nm = c.nm
                              AND n.if_name = x ->> 'interface')
           AND EXISTS (SELECT 1 FROM held h WHERE h.ns = c.ns AND h.nm = c.nm AND h.if_name LIKE 'unknown:%'
                          AND host(h.address) IN (split_part(x ->> 'ipv4', '/', 1), split_part(x ->> 'ipv6', '/', 1)))
    ), built AS (
        SELECT c.ns, c.nm, c.old, coalesce(c.deleting, false) AS deleting,
               CASE WHEN NOT EXISTS (SELECT 1 FROM held h WHERE h.ns = c.ns AND h.nm = c.nm) THEN NULL
               ELSE jsonb_build_object(
                   'apiVersion', 'spiderpool.spidernet.io/v2beta1',
                   'kind', 'SpiderEndpoint',
                   'metadata', CASE WHEN c.old IS NOT NULL THEN c.old -> 'metadata'
                       ELSE jsonb_build_object(
                           'name', c.nm, 'namespace', c.ns, 'uid', gen_random_uuid()::text, 'generation', 1,
                           'creationTimestamp', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                           'finalizers', jsonb_build_array('spiderpool.spidernet.io')) END
                       -- A stateless pod's record goes with the pod; a StatefulSet's outlives it.
                       || CASE WHEN coalesce(c.ot, c.old #>> '{status,ownerControllerType}', 'Pod') = 'StatefulSet'
                               THEN '{}'::jsonb
                               ELSE jsonb_build_object('ownerReferences', jsonb_build_array(jsonb_build_object(
                                   'apiVersion', 'v1', 'kind', 'Pod', 'name', c.nm, 'uid', c.uid))) END,
                   'status', jsonb_build_object(
                       'current', jsonb_build_object(
                           'uid', c.uid,
                           'node', coalesce((SELECT max(h.node_name) FROM held h WHERE h.ns = c.ns AND h.nm = c.nm
                                               AND h.node_name <> ''), c.old #>> '{status,current,node}', ''),
                           'ips', coalesce((SELECT jsonb_agg(e.e ORDER BY e.sort_key) FROM entries e
                                             WHERE e.ns = c.ns AND e.nm = c.nm), '[]'::jsonb)),
                       'ownerControllerType', coalesce(c.ot, c.old #>> '{status,ownerControllerType}', 'Pod'),
                       'ownerControllerName', coalesce(c.onm, c.old #>> '{status,ownerControllerName}', c.nm)))
               END AS body
          FROM cur c
    )
    SELECT array_agg(b.ns ORDER BY b.ns, b.nm), array_agg(b.nm ORDER BY b.ns, b.nm),
           array_agg(b.old ORDER BY b.ns, b.nm), array_agg(b.body ORDER BY b.ns, b.nm),
           array_agg(b.deleting ORDER BY b.ns, b.nm), count(*)
      INTO v_ns, v_name, v_old, v_new, v_deleting, v_n
      FROM built b
     WHERE (b.old IS NULL) <> (b.body IS NULL)
        OR (b.body IS NOT NULL AND b.body #- '{metadata,resourceVersion}' <> b.old #- '{metadata,resourceVersion}');

    IF v_n = 0 THEN
        RETURN 0;
    END IF;
    UPDATE revision_counter SET value = value + v_n RETURNING value INTO v_last;

    WITH m AS (
        SELECT u.ns, u.nm, u.old, u.body, u.deleting, v_last - v_n + u.i AS rv
          FROM unnest(v_ns, v_name, v_old, v_new, v_deleting) WITH ORDINALITY AS u(ns, nm, old, body, deleting, i)
    ), gone AS (
        DELETE FROM resources r USING m
         WHERE m.body IS NULL AND r.resource = 'spiderendpoints' AND r.namespace = m.ns AND r.name = m.nm
        RETURNING r.name)
    , changed AS (
        UPDATE resources r
           SET resource_version = m.rv,
               body = jsonb_set(m.body, '{metadata,resourceVersion}', to_jsonb(m.rv::text))
          FROM m
         WHERE m.body IS NOT NULL AND m.old IS NOT NULL
           AND r.resource = 'spiderendpoints' AND r.namespace = m.ns AND r.name = m.nm
        RETURNING r.name)
    , created AS (
        INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, deleting, body)
        SELECT 'spiderendpoints', m.ns, m.nm, (m.body #>> '{metadata,uid}')::uuid, m.rv, now(), false,
               jsonb_set(m.body, '{metadata,resourceVersion}', to_jsonb(m.rv::text))
          FROM m WHERE m.old IS NULL
        RETURNING name)
    INSERT INTO resource_events (resource_version, resource, namespace, name, event_type, body)
    SELECT m.rv, 'spiderendpoints', m.ns, m.nm,
           CASE WHEN m.body IS NULL THEN 'DELETED' WHEN m.old IS NULL THEN 'ADDED' ELSE 'MODIFIED' END,
           jsonb_set(coalesce(m.body, m.old), '{metadata,resourceVersion}', to_jsonb(m.rv::text))
      FROM m;

    PERFORM pg_notify('ippool_events', '');
    RETURN v_n;
END $$;

COMMENT ON FUNCTION ipam_sync_endpoints(text[], text[], text[], text[], text[]) IS
  'Rebuilds the SpiderEndpoints of the named pods from ipam_allocations (one resourceVersion and watch event '
  'per changed record); deletes a record whose pod holds nothing. Called in the allocating or releasing '
  'transaction.';

-- An allocation batch (ipam_allocate_batch, same request and answer) and the SpiderEndpoints of its pods that
-- got or hold addresses, in one statement. Jobs may carry "ownerType"/"ownerName" (the pod's top controller).
CREATE FUNCTION ipam_allocate_recorded(p_batch jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
    v_answer jsonb := ipam_allocate_batch(p_batch);
BEGIN
    IF v_answer ? 'jobs' THEN
        PERFORM ipam_sync_endpoints(array_agg(j ->> 'namespace'), array_agg(j ->> 'pod'), array_agg(j ->> 'uid'),
                                    array_agg(coalesce(j ->> 'ownerType', '')),
                                    array_agg(coalesce(j ->> 'ownerName', '')))
           FROM jsonb_array_elements(p_batch -> 'jobs') WITH ORDINALITY AS x(j, i)
           JOIN jsonb_array_elements(v_answer -> 'jobs') WITH ORDINALITY AS y(a, k) ON k = i
          WHERE NOT y.a ? 'conflict'
            AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(coalesce(y.a -> 'entries', '[]'::jsonb)) e
                             WHERE e ? 'reasons')
         HAVING count(*) > 0;
    END IF;
    RETURN v_answer;
END $$;

COMMENT ON FUNCTION ipam_allocate_recorded(jsonb) IS
  'ipam_allocate_batch, then the SpiderEndpoints of the pods it served, in the same transaction.';

-- A release batch (ipam_release_batch, same arguments and answer) and the SpiderEndpoints of the pods it named.
CREATE FUNCTION ipam_release_recorded(p_containers text[], p_if_names text[], p_del_namespaces text[],
                                      p_del_pods text[], p_del_uids text[], p_namespaces text[], p_pods text[],
                                      p_uids text[]) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    v_released int := ipam_release_batch(p_containers, p_if_names, p_del_namespaces, p_del_pods, p_del_uids,
                                         p_namespaces, p_pods, p_uids);
BEGIN
    IF v_released > 0 THEN
        PERFORM ipam_sync_endpoints(array_agg(u.ns), array_agg(u.nm), array_agg(''::text), array_agg(''::text),
                                    array_agg(''::text))
           FROM (SELECT * FROM unnest(p_del_namespaces, p_del_pods) UNION SELECT * FROM unnest(p_namespaces, p_pods))
                AS u(ns, nm);
    END IF;
    RETURN v_released;
END $$;

COMMENT ON FUNCTION ipam_release_recorded(text[], text[], text[], text[], text[], text[], text[], text[]) IS
  'ipam_release_batch, then the SpiderEndpoints of the pods it named, in the same transaction.';

-- ---------------------------------------------------------------------------------------------------------
-- Garbage collection

-- Reclaims the addresses of the given pod identities, in one statement: p_namespaces/p_pods/p_uids name a
-- pod as the collector saw it, p_containers its container ('' = every container of that UID), p_reasons why.
-- The pools holding them are locked in name order (as allocation and release do), and only rows that still
-- carry exactly that namespace, name, UID (and container) are deleted, after the locks: an ADD for a
-- re-created pod (new UID, or a new sandbox of the same UID when a container is named) keeps its address
-- whatever the order in which the two commit. History records the reason; pools are published and the
-- pods' SpiderEndpoints rebuilt in the same transaction.
CREATE FUNCTION ipam_gc_reclaim(p_namespaces text[], p_pods text[], p_uids text[], p_containers text[],
                                p_reasons text[])
    RETURNS TABLE (address inet, pool text, pod_namespace text, pod_name text, pod_uid text, container_id text,
                   if_name text, reason text)
LANGUAGE plpgsql AS $$
DECLARE
    v_pools text[];
    v_changed text[];
    v_events bigint[];
    v_n int;
    v_rows jsonb;
BEGIN
    SELECT array_agg(DISTINCT a.pool ORDER BY a.pool) INTO v_pools
      FROM unnest(p_namespaces, p_pods, p_uids, p_containers) AS k(ns, nm, uid, cid)
      JOIN ipam_allocations a ON a.pod_namespace = k.ns AND a.pod_name = k.nm AND a.pod_uid = k.uid
     WHERE k.cid = '' OR a.container_id = k.cid;
    IF v_pools IS NULL THEN
        RETURN;
    END IF;
    PERFORM 1
       FROM resources r JOIN ipam_pools p ON p.pool = r.name
      WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY (v_pools)
      ORDER BY r.name
        FOR UPDATE OF r, p;

    WITH doomed AS (
        SELECT DISTINCT ON (a.family, a.address_num) a.family, a.address_num, k.why
          FROM unnest(p_namespaces, p_pods, p_uids, p_containers, p_reasons) AS k(ns, nm, uid, cid, why)
          JOIN ipam_allocations a ON a.pod_namespace = k.ns AND a.pod_name = k.nm AND a.pod_uid = k.uid
         WHERE (k.cid = '' OR a.container_id = k.cid) AND a.pool = ANY (v_pools))
    , gone AS (
        DELETE FROM ipam_allocations a USING doomed d
         WHERE a.family = d.family AND a.address_num = d.address_num
        RETURNING a.family, a.address_num, a.address, a.pool, a.container_id, a.if_name, a.pod_namespace,
                  a.pod_name, a.pod_uid, a.revision, d.why)
    , fix AS (
        UPDATE ipam_pools p
           SET free_hint = least(p.free_hint, g.lowest), allocated_count = p.allocated_count - g.n
          FROM (SELECT x.pool, min(x.address_num) AS lowest, count(*) AS n FROM gone x GROUP BY x.pool) g
         WHERE p.pool = g.pool)
    , hist AS (
        INSERT INTO ipam_allocation_events (action, family, address, pool, container_id, if_name,
                                            pod_namespace, pod_name, pod_uid, allocated_revision, reason)
        SELECT 'release', x.family, x.address, x.pool, x.container_id, x.if_name, x.pod_namespace, x.pod_name,
               x.pod_uid, x.revision, x.why
          FROM gone x
        RETURNING id, ipam_allocation_events.pool AS pool, ipam_allocation_events.address AS address,
                  ipam_allocation_events.pod_namespace AS ns, ipam_allocation_events.pod_name AS nm,
                  ipam_allocation_events.pod_uid AS uid, ipam_allocation_events.container_id AS cid,
                  ipam_allocation_events.if_name AS ifn, ipam_allocation_events.reason AS why)
    SELECT array_agg(DISTINCT h.pool), array_agg(h.id), count(*),
           jsonb_agg(jsonb_build_object('address', host(h.address), 'pool', h.pool, 'ns', h.ns, 'nm', h.nm,
                                        'uid', h.uid, 'cid', h.cid, 'ifn', h.ifn, 'why', h.why)
                     ORDER BY h.pool, h.address)
      INTO v_changed, v_events, v_n, v_rows
      FROM hist h;

    IF v_n > 0 THEN
        -- Records first: their rebuild is the costly part and runs before this transaction takes the global
        -- revision lock (in its own write step), so ADDs committing in other pools wait for less of it.
        PERFORM ipam_sync_endpoints(array_agg(s.ns), array_agg(s.nm), array_agg(''::text), array_agg(''::text),
                                    array_agg(''::text))
           FROM (SELECT DISTINCT r ->> 'ns' AS ns, r ->> 'nm' AS nm FROM jsonb_array_elements(v_rows) r) s;
        PERFORM ipam_publish_pools(v_changed, '{}', '{}', v_events);
        RETURN QUERY SELECT (r ->> 'address')::inet, r ->> 'pool', r ->> 'ns', r ->> 'nm', r ->> 'uid', r ->> 'cid',
                            r ->> 'ifn', r ->> 'why'
                       FROM jsonb_array_elements(v_rows) r;
    END IF;
END $$;

COMMENT ON FUNCTION ipam_gc_reclaim(text[], text[], text[], text[], text[]) IS
  'Garbage collection of one batch: deletes the addresses still held by exactly the given pod identities, '
  'records the reason in the history, publishes the pools and rebuilds the pods'' SpiderEndpoints.';

-- The collector's view of one batch of pools: each pod identity holding addresses there, with its node, when
-- it got its newest address, and the top controller its SpiderEndpoint names (StatefulSet pods are kept while
-- they are valid replicas).
CREATE FUNCTION ipam_gc_holders(p_pools text[])
    RETURNS TABLE (pod_namespace text, pod_name text, pod_uid text, container_id text, node_name text,
                   owner_type text, owner_name text, addresses bigint, newest timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT a.pod_namespace, a.pod_name, a.pod_uid, a.container_id, max(a.node_name),
           max(se.body #>> '{status,ownerControllerType}'), max(se.body #>> '{status,ownerControllerName}'),
           count(*), max(a.allocated_at)
      FROM ipam_allocations a
      LEFT JOIN resources se ON se.resource = 'spiderendpoints' AND se.namespace = a.pod_namespace
                            AND se.name = a.pod_name
     WHERE a.pool = ANY (p_pools)
     GROUP BY a.pod_namespace, a.pod_name, a.pod_uid, a.container_id
$$;

COMMENT ON FUNCTION ipam_gc_holders(text[]) IS
  'Pod identities (namespace, name, UID, container) holding addresses in the given pools, for the collector.';

-- The same for named pods (the collector's answer to pod events).
CREATE FUNCTION ipam_gc_pod_holders(p_namespaces text[], p_names text[])
    RETURNS TABLE (pod_namespace text, pod_name text, pod_uid text, container_id text, node_name text,
                   owner_type text, owner_name text, addresses bigint, newest timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT a.pod_namespace, a.pod_name, a.pod_uid, a.container_id, max(a.node_name),
           max(se.body #>> '{status,ownerControllerType}'), max(se.body #>> '{status,ownerControllerName}'),
           count(*), max(a.allocated_at)
      FROM unnest(p_namespaces, p_names) AS k(ns, nm)
      JOIN ipam_allocations a ON a.pod_namespace = k.ns AND a.pod_name = k.nm
      LEFT JOIN resources se ON se.resource = 'spiderendpoints' AND se.namespace = a.pod_namespace
                            AND se.name = a.pod_name
     GROUP BY a.pod_namespace, a.pod_name, a.pod_uid, a.container_id
$$;

COMMENT ON FUNCTION ipam_gc_pod_holders(text[], text[]) IS
  'Pod identities holding addresses among the named pods, for the collector.';

-- ---------------------------------------------------------------------------------------------------------
-- StatefulSet addresses

-- A StatefulSet pod re-created under the same name (new UID, new container) takes over its predecessor's
-- addresses: rows of pod ns/name held under another UID move to the new UID, container and node when their
-- pool is one the new pod may use (p_keep_pools, its candidate pools now), and are reclaimed otherwise (reason
-- statefulset_pool_changed), so the ADD that follows allocates from the new pools. Locks the pools in name
-- order first. A move is history like any other change: a release of the predecessor (reason
-- statefulset_adopted) and an allocation to the new pod, at the pool's new resourceVersion, so watchers and
-- ipam_pool_status_at see the new podUid from that revision on. Returns the number of rows moved.
CREATE FUNCTION ipam_sts_adopt(p_namespace text, p_pod text, p_uid text, p_container text, p_node text,
                               p_keep_pools text[]) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    v_pools text[];
    v_outdated text[];
    v_moved_pools text[];
    v_families smallint[];
    v_addresses numeric[];
    v_releases bigint[];
    v_moved int;
BEGIN
    SELECT array_agg(DISTINCT a.pool ORDER BY a.pool) INTO v_pools
      FROM ipam_allocations a
     WHERE a.pod_namespace = p_namespace AND a.pod_name = p_pod AND a.pod_uid <> p_uid;
    IF v_pools IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM 1
       FROM resources r JOIN ipam_pools p ON p.pool = r.name
      WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY (v_pools)
      ORDER BY r.name
        FOR UPDATE OF r, p;

    WITH moving AS (
        SELECT a.family, a.address_num
          FROM ipam_allocations a
         WHERE a.pod_namespace = p_namespace AND a.pod_name = p_pod AND a.pod_uid <> p_uid
           AND a.pool = ANY (p_keep_pools)
           AND NOT EXISTS (SELECT 1 FROM ipam_allocations b
                            WHERE b.container_id = p_container AND b.if_name = a.if_name AND b.family = a.family))
    , released AS (
        INSERT INTO ipam_allocation_events (action, family, address, pool, container_id, if_name,
                                            pod_namespace, pod_name, pod_uid, allocated_revision, reason)
        SELECT 'release', a.family, a.address, a.pool, a.container_id, a.if_name, a.pod_namespace, a.pod_name,
               a.pod_uid, a.revision, 'statefulset_adopted'
          FROM ipam_allocations a JOIN moving m ON m.family = a.family AND m.address_num = a.address_num
        RETURNING id)
    , moved AS (
        UPDATE ipam_allocations a
           SET pod_uid = p_uid, container_id = p_container, node_name = coalesce(nullif(p_node, ''), a.node_name)
          FROM moving m
         WHERE a.family = m.family AND a.address_num = m.address_num
        RETURNING a.pool, a.family, a.address_num)
    SELECT (SELECT array_agg(DISTINCT pool) FROM moved), (SELECT array_agg(family) FROM moved),
           (SELECT array_agg(address_num) FROM moved), (SELECT array_agg(id) FROM released),
           (SELECT count(*) FROM moved)
      INTO v_moved_pools, v_families, v_addresses, v_releases, v_moved;

    SELECT array_agg(DISTINCT a.pod_uid) INTO v_outdated
      FROM ipam_allocations a
     WHERE a.pod_namespace = p_namespace AND a.pod_name = p_pod AND a.pod_uid <> p_uid;
    IF v_outdated IS NOT NULL THEN
        PERFORM 1 FROM ipam_gc_reclaim(array_fill(p_namespace, ARRAY[cardinality(v_outdated)]),
                                       array_fill(p_pod, ARRAY[cardinality(v_outdated)]), v_outdated,
                                       array_fill(''::text, ARRAY[cardinality(v_outdated)]),
                                       array_fill('statefulset_pool_changed'::text, ARRAY[cardinality(v_outdated)]));
    END IF;
    IF v_moved > 0 THEN
        -- Stamps the moved rows and their release rows with the pools' new revisions and records the
        -- allocations to the new pod (ipam_publish_pools, db/V6__allocation_in_one_statement.sql).
        PERFORM ipam_publish_pools(v_moved_pools, v_families, v_addresses, v_releases);
    END IF;
    RETURN v_moved;
END $$;

COMMENT ON FUNCTION ipam_sts_adopt(text, text, text, text, text, text[]) IS
  'Moves a re-created StatefulSet pod''s predecessor''s addresses to it (pools it may still use), reclaims the rest.';

-- Index probes only, planned once per connection (see the same settings in V6).
ALTER FUNCTION ipam_sync_endpoints(text[], text[], text[], text[], text[])
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;
ALTER FUNCTION ipam_gc_reclaim(text[], text[], text[], text[], text[])
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;
