-- A release batch in one statement, as V6 made of an allocation batch.
--
-- Why: a release batch used to cost a lookup of the container's pools before it was queued, then BEGIN, the
-- pool locks, one DELETE per kind of key, the publish call and COMMIT: six round trips, with the revision
-- lock held over the last two. At 8 clients that made a release slower than an allocation (p99 25-35 ms).
-- Now a batch of DELs is one autocommit statement: ipam_release_batch finds the pools the batch touches,
-- locks them, deletes, fixes the pools' hints and counts, records the history and publishes.

-- What a release batch takes, with each row's pool:
--   * p_containers/p_if_names: DELETE /v1/ipam/ip, the (container, interface) pairs to release, with the pod
--     each DEL names (p_del_namespaces/p_del_pods/p_del_uids). Addresses copied from Spiderpool by `import`
--     have no container ID (Spiderpool keeps none): their container_id is 'imported:'
--     (AllocationImport.CONTAINER_PREFIX) and the pod's UID, and their interface is the one the pod's
--     SpiderEndpoint named, else 'unknown:<ip>'. A DEL naming that pod
--     and UID releases them with its interface, and the unknown ones with its first DEL, as Spiderpool
--     releases every NIC of a pod on DEL; without this they would be held until a pod-wide release. (Rows
--     imported without a UID are left to a pod-wide release: Spiderpool too releases only on a UID match.)
--   * p_namespaces/p_pods/p_uids: DELETE /v1/ipam/ips, every address of these pods ('' uid = any uid).
CREATE FUNCTION ipam_release_rows(p_containers text[], p_if_names text[], p_del_namespaces text[],
                                  p_del_pods text[], p_del_uids text[], p_namespaces text[], p_pods text[],
                                  p_uids text[])
    RETURNS TABLE (family smallint, address_num numeric, pool text)
LANGUAGE sql STABLE AS $$
    SELECT a.family, a.address_num, a.pool
      FROM unnest(p_containers, p_if_names) AS k(cid, ifn)
      JOIN ipam_allocations a ON a.container_id = k.cid AND a.if_name = k.ifn
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

COMMENT ON FUNCTION ipam_release_rows(text[], text[], text[], text[], text[], text[], text[], text[]) IS
  'The allocations a release batch takes (by container and interface, imported ones by pod, whole pods), '
  'with their pools.';

-- Returns the number of addresses released; unknown containers and pods release nothing and succeed.
CREATE FUNCTION ipam_release_batch(p_containers text[], p_if_names text[], p_del_namespaces text[],
                                   p_del_pods text[], p_del_uids text[], p_namespaces text[], p_pods text[],
                                   p_uids text[]) RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
    v_pools text[];
    v_changed text[];
    v_events bigint[];
    v_released int;
BEGIN
    -- Lock the pools that hold what the batch releases, in name order as ipam_allocate_batch does (so the two
    -- never deadlock), before deleting: a delete lowers its pool's free_hint, which an allocation holding the
    -- pool lock must not overwrite. Only rows of these pools are deleted: an ADD that puts the same container
    -- into another pool after this lookup is ordered after the release and keeps its address.
    SELECT array_agg(DISTINCT s.pool ORDER BY s.pool) INTO v_pools
      FROM ipam_release_rows(p_containers, p_if_names, p_del_namespaces, p_del_pods, p_del_uids,
                             p_namespaces, p_pods, p_uids) s;
    IF v_pools IS NULL THEN
        RETURN 0;
    END IF;
    PERFORM 1
       FROM resources r JOIN ipam_pools p ON p.pool = r.name
      WHERE r.resource = 'spiderippools' AND r.namespace = '' AND r.name = ANY (v_pools)
      ORDER BY r.name
        FOR UPDATE OF r, p;

    WITH doomed AS (
        SELECT d.family, d.address_num
          FROM ipam_release_rows(p_containers, p_if_names, p_del_namespaces, p_del_pods, p_del_uids,
                                 p_namespaces, p_pods, p_uids) d
         WHERE d.pool = ANY (v_pools))
    , gone AS (
        DELETE FROM ipam_allocations a USING doomed d
         WHERE a.family = d.family AND a.address_num = d.address_num
        RETURNING a.*)
    , fix AS (
        UPDATE ipam_pools p
           SET free_hint = least(p.free_hint, g.lowest), allocated_count = p.allocated_count - g.n
          FROM (SELECT gone.pool, min(gone.address_num) AS lowest, count(*) AS n FROM gone GROUP BY gone.pool) g
         WHERE p.pool = g.pool)
    , hist AS (
        INSERT INTO ipam_allocation_events (action, family, address, pool, container_id, if_name,
                                            pod_namespace, pod_name, pod_uid, allocated_revision)
        SELECT 'release', family, address, pool, container_id, if_name, pod_namespace, pod_name, pod_uid, revision
          FROM gone
        RETURNING id, pool)
    SELECT array_agg(DISTINCT h.pool), array_agg(h.id), count(*)
      INTO v_changed, v_events, v_released
      FROM hist h;

    IF v_released > 0 THEN
        PERFORM ipam_publish_pools(v_changed, '{}', '{}', v_events);
    END IF;
    RETURN v_released;
END $$;

-- Index probes only, planned once per connection (see the same settings in V6).
ALTER FUNCTION ipam_release_batch(text[], text[], text[], text[], text[], text[], text[], text[])
  SET plan_cache_mode = force_generic_plan SET enable_seqscan = off SET jit = off;

COMMENT ON FUNCTION ipam_release_batch(text[], text[], text[], text[], text[], text[], text[], text[]) IS
  'One release batch as one statement: locks the pools holding the given (container, interface) pairs and '
  'pods'' addresses, deletes them, fixes the pools'' hints and counts, records the history, publishes the pools.';
