-- The allocator's tables: what each SpiderIPPool may hand out, what SpiderReservedIPs hold back, and which
-- addresses pods hold. This schema is a documented contract for SQL analysts (see COMMENT ON below).
--
-- Addresses are kept twice: as inet (for people and for joins with network operators) and as
-- numeric(39,0), the address as an unsigned integer (IPv4: 0..2^32-1, IPv6: 0..2^128-1), for arithmetic.
-- numeric because inet - inet is int8 and overflows inside an IPv6 /64. Ranges are stored as intervals,
-- never expanded: the only per-address rows are real allocations.
--
-- Locking protocol (every writer follows it, which is why there are no deadlocks):
--   1. lock the SpiderIPPool rows in `resources` together with their ipam_pools rows,
--      SELECT ... FOR UPDATE in ascending pool name order;
--   2. only then read/modify ipam_allocations and ipam_pools.free_hint for those pools.
-- Writers of SpiderReservedIPs that shrink a reservation lower free_hint of the pools of that family,
-- locking ipam_pools rows in ascending pool name order (and never a `resources` pool row afterwards).

CREATE TABLE ipam_pools (
    pool            text          COLLATE "C" PRIMARY KEY,
    family          smallint      NOT NULL CHECK (family IN (4, 6)),
    prefix_length   smallint      NOT NULL,
    total_ips       numeric(39,0) NOT NULL CHECK (total_ips >= 0),
    allocated_count bigint        NOT NULL DEFAULT 0 CHECK (allocated_count >= 0),
    free_hint       numeric(39,0) NOT NULL DEFAULT 0,
    updated_at      timestamptz   NOT NULL DEFAULT now()
);

COMMENT ON TABLE ipam_pools IS
  'One row per live SpiderIPPool (resources.resource = ''spiderippools''), maintained in the same transaction '
  'as every write of the pool. The allocator locks this row with the pool''s resources row.';
COMMENT ON COLUMN ipam_pools.pool IS 'SpiderIPPool metadata.name.';
COMMENT ON COLUMN ipam_pools.family IS 'IP version of the pool: 4 or 6 (spec.ipVersion, else derived from spec.subnet).';
COMMENT ON COLUMN ipam_pools.prefix_length IS 'Prefix length of spec.subnet; allocated addresses are returned as address/prefix_length.';
COMMENT ON COLUMN ipam_pools.total_ips IS
  'Number of addresses in spec.ips minus spec.excludeIPs (reservations are NOT subtracted, as in Spiderpool). '
  'status.totalIPCount is this value capped at 2^63-1.';
COMMENT ON COLUMN ipam_pools.allocated_count IS 'Number of rows in ipam_allocations for this pool (status.allocatedIPCount).';
COMMENT ON COLUMN ipam_pools.free_hint IS
  'Search hint, as an address number: no address below it is free (outside the ranges, reserved or allocated). '
  'Raised by allocation, lowered by release, by pool range growth and by reservation shrinkage. Only a '
  'performance aid: correctness never depends on it being high, only on it not being too high.';
COMMENT ON COLUMN ipam_pools.updated_at IS 'When the pool spec was last applied to the range tables.';

CREATE TABLE ipam_pool_ranges (
    pool      text          COLLATE "C" NOT NULL REFERENCES ipam_pools (pool) ON DELETE CASCADE,
    family    smallint      NOT NULL CHECK (family IN (4, 6)),
    first_num numeric(39,0) NOT NULL,
    last_num  numeric(39,0) NOT NULL,
    first_ip  inet          NOT NULL,
    last_ip   inet          NOT NULL,
    PRIMARY KEY (pool, first_num),
    CHECK (first_num <= last_num)
);
-- The probe looks for "the first range whose end is at or after X"; ranges of a pool are disjoint and
-- sorted, so ordering by last_num is ordering by first_num.
CREATE INDEX ipam_pool_ranges_by_last ON ipam_pool_ranges (pool, last_num);

COMMENT ON TABLE ipam_pool_ranges IS
  'Effective address ranges of each pool: spec.ips minus spec.excludeIPs, merged, sorted and disjoint.';
COMMENT ON COLUMN ipam_pool_ranges.pool IS 'SpiderIPPool name.';
COMMENT ON COLUMN ipam_pool_ranges.family IS 'IP version, 4 or 6.';
COMMENT ON COLUMN ipam_pool_ranges.first_num IS 'First address of the range, as an unsigned integer.';
COMMENT ON COLUMN ipam_pool_ranges.last_num IS 'Last address of the range (inclusive), as an unsigned integer.';
COMMENT ON COLUMN ipam_pool_ranges.first_ip IS 'First address of the range.';
COMMENT ON COLUMN ipam_pool_ranges.last_ip IS 'Last address of the range (inclusive).';

CREATE TABLE ipam_reserved_ranges (
    reservation text          COLLATE "C" NOT NULL,
    family      smallint      NOT NULL CHECK (family IN (4, 6)),
    first_num   numeric(39,0) NOT NULL,
    last_num    numeric(39,0) NOT NULL,
    first_ip    inet          NOT NULL,
    last_ip     inet          NOT NULL,
    span        numrange      GENERATED ALWAYS AS (numrange(first_num, last_num, '[]')) STORED,
    PRIMARY KEY (reservation, first_num),
    CHECK (first_num <= last_num)
);
-- "Which reservations contain address X" in O(log n) whatever the number of reservations.
CREATE INDEX ipam_reserved_ranges_span ON ipam_reserved_ranges USING gist (span);

COMMENT ON TABLE ipam_reserved_ranges IS
  'Address ranges held back by live SpiderReservedIPs (spec.ips, merged). Reservations are global: they '
  'apply to every pool of the same family. Terminating reservations (deletionTimestamp set) have no rows.';
COMMENT ON COLUMN ipam_reserved_ranges.reservation IS 'SpiderReservedIP name.';
COMMENT ON COLUMN ipam_reserved_ranges.family IS 'IP version, 4 or 6 (spec.ipVersion).';
COMMENT ON COLUMN ipam_reserved_ranges.first_num IS 'First reserved address, as an unsigned integer.';
COMMENT ON COLUMN ipam_reserved_ranges.last_num IS 'Last reserved address (inclusive), as an unsigned integer.';
COMMENT ON COLUMN ipam_reserved_ranges.first_ip IS 'First reserved address.';
COMMENT ON COLUMN ipam_reserved_ranges.last_ip IS 'Last reserved address (inclusive).';
COMMENT ON COLUMN ipam_reserved_ranges.span IS 'numrange [first_num, last_num], GiST-indexed for containment probes.';

CREATE TABLE ipam_allocations (
    family        smallint      NOT NULL CHECK (family IN (4, 6)),
    address_num   numeric(39,0) NOT NULL,
    address       inet          NOT NULL,
    pool          text          COLLATE "C" NOT NULL,
    container_id  text          COLLATE "C" NOT NULL,
    if_name       text          COLLATE "C" NOT NULL,
    pod_namespace text          COLLATE "C" NOT NULL,
    pod_name      text          COLLATE "C" NOT NULL,
    pod_uid       text          COLLATE "C" NOT NULL,
    node_name     text          COLLATE "C" NOT NULL DEFAULT '',
    allocated_at  timestamptz   NOT NULL DEFAULT now(),
    -- An address is held by at most one pod, whatever pool it came from (even if two pools overlap).
    PRIMARY KEY (family, address_num),
    -- Idempotency: a repeated CNI ADD for the same container and interface gets the same address.
    CONSTRAINT ipam_allocations_idempotency UNIQUE (container_id, if_name, family)
);
CREATE INDEX ipam_allocations_by_pool ON ipam_allocations (pool, address_num);
CREATE INDEX ipam_allocations_by_pod ON ipam_allocations (pod_namespace, pod_name);
CREATE INDEX ipam_allocations_by_uid ON ipam_allocations (pod_uid);

COMMENT ON TABLE ipam_allocations IS
  'Addresses currently held by pods; one row per (container, interface, IP version). SpiderIPPool '
  'status.allocatedIPs / allocatedIPCount are computed from this table. Rows outlive their pool if the pool '
  'is force-removed, so the address is never handed out twice.';
COMMENT ON COLUMN ipam_allocations.family IS 'IP version, 4 or 6.';
COMMENT ON COLUMN ipam_allocations.address_num IS 'The address as an unsigned integer.';
COMMENT ON COLUMN ipam_allocations.address IS 'The address (host, /32 or /128).';
COMMENT ON COLUMN ipam_allocations.pool IS 'SpiderIPPool the address was allocated from.';
COMMENT ON COLUMN ipam_allocations.container_id IS 'CNI container ID (CNI_CONTAINERID) of the pod sandbox.';
COMMENT ON COLUMN ipam_allocations.if_name IS 'Interface inside the pod (CNI_IFNAME), e.g. eth0, net1.';
COMMENT ON COLUMN ipam_allocations.pod_namespace IS 'Namespace of the pod.';
COMMENT ON COLUMN ipam_allocations.pod_name IS 'Name of the pod.';
COMMENT ON COLUMN ipam_allocations.pod_uid IS 'UID of the pod (K8S_POD_UID).';
COMMENT ON COLUMN ipam_allocations.node_name IS 'Node the pod runs on, when known; empty otherwise.';
COMMENT ON COLUMN ipam_allocations.allocated_at IS 'When the address was handed out.';

CREATE TABLE ipam_allocation_events (
    id            bigserial   PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    action        text        NOT NULL CHECK (action IN ('allocate', 'release')),
    family        smallint    NOT NULL CHECK (family IN (4, 6)),
    address       inet        NOT NULL,
    pool          text        COLLATE "C" NOT NULL,
    container_id  text        COLLATE "C" NOT NULL,
    if_name       text        COLLATE "C" NOT NULL,
    pod_namespace text        COLLATE "C" NOT NULL,
    pod_name      text        COLLATE "C" NOT NULL,
    pod_uid       text        COLLATE "C" NOT NULL
);
CREATE INDEX ipam_allocation_events_by_time ON ipam_allocation_events (at);
CREATE INDEX ipam_allocation_events_by_address ON ipam_allocation_events (address);

COMMENT ON TABLE ipam_allocation_events IS
  'Append-only history of allocations and releases, for reporting (who held 10.0.0.5 last Tuesday?). '
  'Written in the same transaction as the change; never read by the allocator.';
COMMENT ON COLUMN ipam_allocation_events.id IS 'Order of recording.';
COMMENT ON COLUMN ipam_allocation_events.at IS 'Transaction time of the change.';
COMMENT ON COLUMN ipam_allocation_events.action IS 'allocate or release.';
COMMENT ON COLUMN ipam_allocation_events.family IS 'IP version, 4 or 6.';
COMMENT ON COLUMN ipam_allocation_events.address IS 'The address allocated or released.';
COMMENT ON COLUMN ipam_allocation_events.pool IS 'SpiderIPPool the address belongs to.';
COMMENT ON COLUMN ipam_allocation_events.container_id IS 'CNI container ID.';
COMMENT ON COLUMN ipam_allocation_events.if_name IS 'Interface inside the pod.';
COMMENT ON COLUMN ipam_allocation_events.pod_namespace IS 'Namespace of the pod.';
COMMENT ON COLUMN ipam_allocation_events.pod_name IS 'Name of the pod.';
COMMENT ON COLUMN ipam_allocation_events.pod_uid IS 'UID of the pod.';

-- numeric address -> inet. For IPv6 the address is spelled as eight hex groups and parsed, because inet
-- arithmetic only adds int8.
CREATE FUNCTION ipam_num_to_inet(p_family smallint, p_num numeric) RETURNS inet
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
    s text := '';
    rest numeric := p_num;
    g int;
BEGIN
    IF p_family = 4 THEN
        RETURN '0.0.0.0'::inet + p_num::bigint;
    END IF;
    FOR i IN REVERSE 7..0 LOOP
        -- div/mod, not rest / 65536^i: numeric division rounds, and a group just below a boundary would
        -- round up into the next one (fd00:0:0:2:ffff:ffff:ffff:fffe came out as ...:3:0:0:0:fffffffe).
        g := div(rest, 65536::numeric ^ i)::int;
        rest := mod(rest, 65536::numeric ^ i);
        s := s || to_hex(g) || CASE WHEN i > 0 THEN ':' ELSE '' END;
    END LOOP;
    RETURN s::inet;
END $$;

COMMENT ON FUNCTION ipam_num_to_inet(smallint, numeric) IS 'Address number of the given family to inet.';

-- The lowest free address of a pool at or above p_from, without materialising addresses: it jumps from
-- range to range, over reservations (GiST probe) and over runs of allocated addresses (index probe on
-- the primary key). Free = in the pool's ranges, not in any live reservation of the same family, not
-- allocated. Reads the tables with the statement's snapshot, so call it after locking the pool: every
-- reservation committed before that is seen. Returns NULL when nothing is free.
CREATE FUNCTION ipam_lowest_free(p_pool text, p_family smallint, p_from numeric) RETURNS numeric
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cand numeric := p_from;
    r_first numeric;
    r_last numeric;
    res_last numeric;
BEGIN
    LOOP
        SELECT first_num, last_num INTO r_first, r_last
          FROM ipam_pool_ranges
         WHERE pool = p_pool AND last_num >= cand
         ORDER BY last_num
         LIMIT 1;
        IF NOT FOUND THEN
            RETURN NULL;
        END IF;
        IF cand < r_first THEN
            cand := r_first;
        END IF;

        SELECT max(last_num) INTO res_last
          FROM ipam_reserved_ranges
         WHERE span @> cand AND family = p_family;
        IF res_last IS NOT NULL THEN
            cand := res_last + 1;
            CONTINUE;
        END IF;

        IF EXISTS (SELECT 1 FROM ipam_allocations WHERE family = p_family AND address_num = cand) THEN
            -- End of the run of allocated addresses that starts at cand: the first allocated address at or
            -- after cand whose successor is not allocated. Cost is the run length; the hint keeps runs short.
            SELECT a.address_num + 1 INTO cand
              FROM ipam_allocations a
             WHERE a.family = p_family AND a.address_num >= cand
               AND NOT EXISTS (SELECT 1 FROM ipam_allocations b
                                WHERE b.family = p_family AND b.address_num = a.address_num + 1)
             ORDER BY a.address_num
             LIMIT 1;
            CONTINUE;
        END IF;

        RETURN cand;
    END LOOP;
END $$;

COMMENT ON FUNCTION ipam_lowest_free(text, smallint, numeric) IS
  'Lowest free address number of a pool at or above p_from (NULL if none): ranges minus reservations of the '
  'same family minus allocations.';

-- Allocates one address per request (the arrays are parallel, one element per request) from one pool, in
-- array order, lowest free first. The caller must hold the pool lock. Per request it returns the address,
-- or the existing address when (container_id, if_name, family) already holds one (idempotent), or NULL
-- when the pool is exhausted (reason 'exhausted') or holds p_max_allocated addresses already (reason
-- 'threshold'; 0 = no threshold).
-- Maintains free_hint and allocated_count; does not write history (the caller does, once it knows which
-- requests succeeded as a whole).
CREATE FUNCTION ipam_allocate(p_pool text, p_container_ids text[], p_if_names text[], p_namespaces text[],
                              p_names text[], p_uids text[], p_nodes text[], p_max_allocated bigint)
RETURNS TABLE (idx int, address_num numeric, address inet, pool text, reused boolean, reason text)
LANGUAGE plpgsql AS $$
DECLARE
    v_family smallint;
    v_hint numeric;
    v_count bigint;
    v_added bigint := 0;
    cand numeric;
    ins_num numeric;
    ex_num numeric;
    ex_addr inet;
    ex_pool text;
    exhausted boolean := false;
BEGIN
    SELECT p.family, p.free_hint, p.allocated_count INTO v_family, v_hint, v_count
      FROM ipam_pools p WHERE p.pool = p_pool;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'pool % has no allocator state', p_pool;
    END IF;
    FOR i IN 1 .. coalesce(array_length(p_container_ids, 1), 0) LOOP
        idx := i;
        -- Idempotent repeat: hand back what this container/interface already holds.
        SELECT a.address_num, a.address, a.pool INTO ex_num, ex_addr, ex_pool
          FROM ipam_allocations a
         WHERE a.container_id = p_container_ids[i] AND a.if_name = p_if_names[i] AND a.family = v_family;
        IF ex_num IS NOT NULL THEN
            address_num := ex_num; address := ex_addr; pool := ex_pool; reused := true; reason := NULL;
            RETURN NEXT;
            CONTINUE;
        END IF;
        address_num := NULL; address := NULL; pool := p_pool; reused := false; reason := NULL;
        IF p_max_allocated > 0 AND v_count + v_added >= p_max_allocated THEN
            reason := 'threshold';
            RETURN NEXT;
            CONTINUE;
        END IF;
        IF exhausted THEN
            reason := 'exhausted';
            RETURN NEXT;
            CONTINUE;
        END IF;
        LOOP
            cand := ipam_lowest_free(p_pool, v_family, v_hint);
            IF cand IS NULL THEN
                exhausted := true;
                reason := 'exhausted';
                EXIT;
            END IF;
            ins_num := NULL;
            INSERT INTO ipam_allocations AS a (family, address_num, address, pool, container_id, if_name,
                                               pod_namespace, pod_name, pod_uid, node_name)
            VALUES (v_family, cand, ipam_num_to_inet(v_family, cand), p_pool, p_container_ids[i], p_if_names[i],
                    p_namespaces[i], p_names[i], p_uids[i], coalesce(p_nodes[i], ''))
            ON CONFLICT DO NOTHING
            RETURNING a.address_num INTO ins_num;
            IF ins_num IS NOT NULL THEN
                v_hint := cand + 1;
                v_added := v_added + 1;
                address_num := ins_num; address := ipam_num_to_inet(v_family, ins_num);
                EXIT;
            END IF;
            -- Conflict: either another process inserted the same container/interface meanwhile (reuse it;
            -- cand stays free), or an overlapping pool holds the address (keep probing above it).
            SELECT a.address_num, a.address, a.pool INTO ex_num, ex_addr, ex_pool
              FROM ipam_allocations a
             WHERE a.container_id = p_container_ids[i] AND a.if_name = p_if_names[i] AND a.family = v_family;
            IF ex_num IS NOT NULL THEN
                address_num := ex_num; address := ex_addr; pool := ex_pool; reused := true;
                EXIT;
            END IF;
            v_hint := cand + 1;
        END LOOP;
        RETURN NEXT;
    END LOOP;
    UPDATE ipam_pools p SET free_hint = v_hint, allocated_count = p.allocated_count + v_added
     WHERE p.pool = p_pool;
END $$;

COMMENT ON FUNCTION ipam_allocate(text, text[], text[], text[], text[], text[], text[], bigint) IS
  'Batch allocation from one locked pool: one lowest-free address per request, idempotent per '
  '(container_id, if_name, family).';
