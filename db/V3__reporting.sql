-- SQL reporting: a `reporting` schema of documented views over pools, reservations and allocations, a
-- read-only role for analysts, and retention of the allocation history. The views are the contract;
-- everything else in this schema is an implementation detail analysts cannot read.
--
-- Address counts are numeric(39,0): an IPv6 /64 holds 2^64 addresses, more than bigint can count.
--
-- What is precomputed and why. Two parts of pool utilisation are too slow to compute per query at scale
-- (10,000 pools, 10,000 reserved ranges: a GiST range join over numeric takes ~0.8 s, parsing spec.ips of
-- every pool from jsonb ~1 s):
--   * the pieces of each pool's effective ranges covered by a live reservation of its family
--     (reporting.pool_reserved_pieces), merged so overlapping reservations count once;
--   * per pool: the size of spec.ips (for `excluded`), the subnet, and the reserved count
--     (reporting.pool_capacity).
-- Both depend only on ipam_pool_ranges, ipam_pools and ipam_reserved_ranges, which change only when a
-- SpiderIPPool or SpiderReservedIP is written (AllocationHook), never on allocation or release. They are
-- refreshed by DEFERRED constraint triggers, i.e. at COMMIT of the writing transaction, when the
-- transaction's own writes (ranges and the resources row, which the store writes after the hook) are
-- final. A transaction-scoped advisory lock serialises the refreshes, and each refresh reads with a fresh
-- snapshot taken after that lock, so the last committer always sees every earlier commit: the cache
-- cannot miss a concurrent reservation. The lock is taken only at commit, after every row lock of the
-- writer's protocol, and its holders wait for nothing else, so it adds no deadlock.
-- Anything that depends on allocations (allocated, and allocated addresses under a reservation) is read
-- live, so it is exact at the query's snapshot.

CREATE SCHEMA reporting;
COMMENT ON SCHEMA reporting IS
  'Read-only reporting views over SpiderIPPools, SpiderReservedIPs and allocations (a stable contract for '
  'SQL analysts, role ippool_reporting). Tables and functions here are internal.';

-- ---------------------------------------------------------------------------------------------------
-- Helpers

-- inet -> address number. IPv6 goes through the binary form (inet_send: family, bits, is_cidr, length,
-- then 16 address bytes), four 32-bit words at a time, because inet - inet is bigint and overflows.
CREATE FUNCTION reporting.inet_to_num(a inet) RETURNS numeric
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT CASE family(a)
    WHEN 4 THEN (a - '0.0.0.0'::inet)::numeric
    ELSE ('x' || encode(substring(inet_send(a) FROM 5 FOR 4), 'hex'))::bit(32)::bigint * 79228162514264337593543950336::numeric
       + ('x' || encode(substring(inet_send(a) FROM 9 FOR 4), 'hex'))::bit(32)::bigint * 18446744073709551616::numeric
       + ('x' || encode(substring(inet_send(a) FROM 13 FOR 4), 'hex'))::bit(32)::bigint * 4294967296::numeric
       + ('x' || encode(substring(inet_send(a) FROM 17 FOR 4), 'hex'))::bit(32)::bigint::numeric
  END $$;
COMMENT ON FUNCTION reporting.inet_to_num(inet) IS 'Address as an unsigned integer (IPv6 exact, beyond 2^63).';

-- Number of distinct addresses in a Spiderpool range list (["a", "a-b", ...], overlaps counted once).
-- NULL when an entry does not parse: the caller must not fail a resource write over a report.
CREATE FUNCTION reporting.range_list_size(list jsonb) RETURNS numeric
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    n numeric;
BEGIN
    IF list IS NULL OR jsonb_typeof(list) <> 'array' THEN
        RETURN 0;
    END IF;
    SELECT coalesce(sum(upper(m) - lower(m)), 0) INTO n
      FROM unnest((SELECT range_agg(numrange(reporting.inet_to_num(split_part(e, '-', 1)::inet),
                                             reporting.inet_to_num(coalesce(nullif(split_part(e, '-', 2), ''),
                                                                            split_part(e, '-', 1))::inet) + 1))
                     FROM jsonb_array_elements_text(list) e)) m;
    RETURN n;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reporting.range_list_size(jsonb) IS
  'Distinct addresses in a spec.ips-style list; NULL if an entry does not parse.';

CREATE FUNCTION reporting.try_cidr(t text) RETURNS cidr
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
    RETURN t::cidr;
EXCEPTION WHEN others THEN
    RETURN NULL;
END $$;
COMMENT ON FUNCTION reporting.try_cidr(text) IS 'text -> cidr, NULL instead of an error.';

-- ---------------------------------------------------------------------------------------------------
-- Precomputed, spec-derived state (internal; see the header)

CREATE TABLE reporting.pool_capacity (
    pool        text          COLLATE "C" PRIMARY KEY,
    family      smallint      NOT NULL,
    subnet      cidr,
    spec_ips    numeric(39,0),
    disabled    boolean       NOT NULL DEFAULT false,
    terminating boolean       NOT NULL DEFAULT false,
    reserved    numeric(39,0) NOT NULL,
    spec_by     xid8,
    pieces_by   xid8
);
COMMENT ON TABLE reporting.pool_capacity IS
  'Per live pool (ipam_pools): spec.subnet, size of spec.ips, spec.disable, deletion state, and addresses of '
  'the effective ranges covered by live reservations of the family. Refreshed at commit of pool and '
  'reservation writes (every SpiderIPPool write upserts ipam_pools.total_ips through AllocationHook, '
  'including the one that sets deletionTimestamp).';
COMMENT ON COLUMN reporting.pool_capacity.spec_ips IS 'Distinct addresses in spec.ips (NULL: unparseable).';
COMMENT ON COLUMN reporting.pool_capacity.disabled IS 'spec.disable.';
COMMENT ON COLUMN reporting.pool_capacity.terminating IS 'resources.deleting (deletionTimestamp set).';
COMMENT ON COLUMN reporting.pool_capacity.reserved IS 'Sum of the pool''s rows in pool_reserved_pieces.';
COMMENT ON COLUMN reporting.pool_capacity.spec_by IS 'Transaction that last refreshed spec-derived columns (skip repeats).';
COMMENT ON COLUMN reporting.pool_capacity.pieces_by IS 'Transaction that last refreshed the reserved pieces (skip repeats).';

CREATE TABLE reporting.pool_reserved_pieces (
    pool      text          COLLATE "C" NOT NULL,
    family    smallint      NOT NULL,
    first_num numeric(39,0) NOT NULL,
    last_num  numeric(39,0) NOT NULL,
    PRIMARY KEY (pool, first_num),
    CHECK (first_num <= last_num)
);
COMMENT ON TABLE reporting.pool_reserved_pieces IS
  'Effective ranges of a pool intersected with the union of live reservations of its family: disjoint, '
  'merged, inclusive bounds as address numbers.';

-- Reservations touching a range: "which pools does this reserved range overlap" at commit of a
-- reservation write. Only pool writes maintain it (never allocation).
CREATE INDEX ipam_pool_ranges_span ON ipam_pool_ranges USING gist (numrange(first_num, last_num, '[]'));

-- Lock key for refreshes: 'ippool-reporting' hashed once, written out so it never changes.
CREATE FUNCTION reporting.refresh_pools(p_pools text[], p_spec boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    me xid8 := pg_current_xact_id();
    todo text[];
BEGIN
    PERFORM pg_advisory_xact_lock(7261146313911105536);
    -- New snapshot from here on (READ COMMITTED, volatile function): every refresh that committed before
    -- we got the lock is visible.
    IF p_spec THEN
        SELECT array_agg(x) INTO todo FROM unnest(p_pools) x
         WHERE NOT EXISTS (SELECT 1 FROM reporting.pool_capacity c WHERE c.pool = x AND c.spec_by = me);
        IF todo IS NOT NULL THEN
            DELETE FROM reporting.pool_capacity c
             WHERE c.pool = ANY (todo) AND NOT EXISTS (SELECT 1 FROM ipam_pools p WHERE p.pool = c.pool);
            INSERT INTO reporting.pool_capacity AS c (pool, family, subnet, spec_ips, disabled, terminating,
                                                      reserved, spec_by)
            SELECT p.pool, p.family, reporting.try_cidr(r.body -> 'spec' ->> 'subnet'),
                   reporting.range_list_size(r.body -> 'spec' -> 'ips'),
                   coalesce(r.body -> 'spec' -> 'disable' = 'true'::jsonb, false), coalesce(r.deleting, false),
                   0, me
              FROM ipam_pools p
              LEFT JOIN resources r ON r.resource = 'spiderippools' AND r.namespace = '' AND r.name = p.pool
             WHERE p.pool = ANY (todo)
            ON CONFLICT (pool) DO UPDATE
               SET family = EXCLUDED.family, subnet = EXCLUDED.subnet, spec_ips = EXCLUDED.spec_ips,
                   disabled = EXCLUDED.disabled, terminating = EXCLUDED.terminating, spec_by = me;
        END IF;
    END IF;

    SELECT array_agg(x) INTO todo FROM unnest(p_pools) x
     WHERE NOT EXISTS (SELECT 1 FROM reporting.pool_capacity c WHERE c.pool = x AND c.pieces_by = me);
    IF todo IS NULL THEN
        RETURN;
    END IF;
    DELETE FROM reporting.pool_reserved_pieces WHERE pool = ANY (todo);
    -- Half-open numranges so that adjacent reservations merge ([1,6) + [6,9) = [1,9)).
    INSERT INTO reporting.pool_reserved_pieces (pool, family, first_num, last_num)
    SELECT g.pool, g.family, lower(m), upper(m) - 1
      FROM (SELECT pr.pool, pr.family,
                   range_agg(numrange(greatest(pr.first_num, rr.first_num), least(pr.last_num, rr.last_num) + 1)) AS mr
              FROM ipam_pool_ranges pr
              JOIN ipam_reserved_ranges rr
                ON rr.family = pr.family AND rr.span && numrange(pr.first_num, pr.last_num, '[]')
             WHERE pr.pool = ANY (todo)
             GROUP BY pr.pool, pr.family) g,
           unnest(g.mr) m;
    -- Pools created in this transaction whose spec refresh has not run yet get a row now (it runs later).
    INSERT INTO reporting.pool_capacity AS c (pool, family, reserved, pieces_by)
    SELECT p.pool, p.family,
           coalesce((SELECT sum(x.last_num - x.first_num + 1) FROM reporting.pool_reserved_pieces x
                      WHERE x.pool = p.pool), 0), me
      FROM ipam_pools p
     WHERE p.pool = ANY (todo)
    ON CONFLICT (pool) DO UPDATE SET reserved = EXCLUDED.reserved, pieces_by = me;
END $$;
COMMENT ON FUNCTION reporting.refresh_pools(text[], boolean) IS
  'Recomputes pool_capacity (spec columns when p_spec) and pool_reserved_pieces for the given pools. '
  'Called at commit by the triggers below; safe to call by hand (e.g. after bulk loads).';

CREATE FUNCTION reporting.on_pool_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM reporting.refresh_pools(ARRAY[CASE WHEN TG_OP = 'DELETE' THEN OLD.pool ELSE NEW.pool END], true);
    IF TG_OP = 'UPDATE' AND OLD.pool <> NEW.pool THEN
        PERFORM reporting.refresh_pools(ARRAY[OLD.pool], true);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION reporting.on_reserved_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    pools text[];
BEGIN
    -- Every pool whose effective ranges overlap the old or the new reserved range.
    SELECT array_agg(DISTINCT pr.pool) INTO pools
      FROM ipam_pool_ranges pr
     WHERE (TG_OP <> 'INSERT' AND pr.family = OLD.family
            AND numrange(pr.first_num, pr.last_num, '[]') && numrange(OLD.first_num, OLD.last_num, '[]'))
        OR (TG_OP <> 'DELETE' AND pr.family = NEW.family
            AND numrange(pr.first_num, pr.last_num, '[]') && numrange(NEW.first_num, NEW.last_num, '[]'));
    IF pools IS NOT NULL THEN
        PERFORM reporting.refresh_pools(pools, false);
    END IF;
    RETURN NULL;
END $$;

-- DEFERRABLE INITIALLY DEFERRED: run at COMMIT (see the header). The ipam_pools trigger fires on every
-- pool write (AllocationHook upserts total_ips each time) but not on allocation, which updates only
-- free_hint and allocated_count.
CREATE CONSTRAINT TRIGGER reporting_pool_state AFTER INSERT OR DELETE OR UPDATE OF total_ips, family
    ON ipam_pools DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION reporting.on_pool_change();
CREATE CONSTRAINT TRIGGER reporting_pool_ranges AFTER INSERT OR UPDATE OR DELETE
    ON ipam_pool_ranges DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION reporting.on_pool_change();
CREATE CONSTRAINT TRIGGER reporting_reserved_ranges AFTER INSERT OR UPDATE OR DELETE
    ON ipam_reserved_ranges DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION reporting.on_reserved_change();

-- Existing data (the migration may run on a populated database).
SELECT reporting.refresh_pools(coalesce(array_agg(pool), '{}'), true) FROM ipam_pools;

-- ---------------------------------------------------------------------------------------------------
-- Views (the contract)

-- Why the two views below read from functions: at 10,000 pools their plans cost more than
-- jit_above_cost, and PostgreSQL's JIT then spends ~1 s compiling (and optimising) a query that runs in
-- ~70 ms. A view cannot carry a setting; a function can (SET jit = off). The functions are SECURITY
-- DEFINER because a function inside a view runs with the caller's rights, and ippool_reporting must not
-- read the tables; search_path is pinned for the same reason. Filters on these two views apply after the
-- whole result is computed (tens of ms at the benchmark scale).

-- free = total - reserved - allocated + reserved_allocated: the addresses a new pod could get.
-- reserved_allocated is counted live (it depends on allocations, which the cache never follows): one
-- index probe (ipam_allocations_by_pool) per reserved piece. OFFSET 0 keeps the probe a parameterised
-- nested loop; as a plain join the planner may hash all 1,000,000 allocations instead.
-- Allocations always lie inside the pool's effective ranges (AllocationHook refuses a pool update that
-- would strand one), so allocated - reserved_allocated is exactly the unreserved allocated addresses.
CREATE FUNCTION reporting.pool_utilization_rows()
RETURNS TABLE (pool text, subnet cidr, ip_version smallint, total numeric(39,0), excluded numeric(39,0),
               reserved numeric(39,0), allocated numeric(39,0), reserved_allocated numeric(39,0),
               free numeric(39,0), percent_used numeric(5,2), disabled boolean, terminating boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET jit = off SET search_path = pg_catalog, public ROWS 10000 AS $$
WITH held AS (
    SELECT x.pool, count(*) AS n
      FROM reporting.pool_reserved_pieces x
     CROSS JOIN LATERAL (SELECT 1 FROM ipam_allocations a
                          WHERE a.pool = x.pool AND a.address_num BETWEEN x.first_num AND x.last_num
                         OFFSET 0) y
     GROUP BY x.pool)
SELECT p.pool::text,
       c.subnet,
       p.family,
       p.total_ips,
       c.spec_ips - p.total_ips,
       coalesce(c.reserved, 0),
       p.allocated_count,
       coalesce(h.n, 0),
       p.total_ips - coalesce(c.reserved, 0) - p.allocated_count + coalesce(h.n, 0),
       CASE WHEN p.total_ips > 0
            THEN round(100 * (coalesce(c.reserved, 0) + p.allocated_count - coalesce(h.n, 0)) / p.total_ips, 2)
       END,
       coalesce(c.disabled, false),
       coalesce(c.terminating, false)
  FROM ipam_pools p
  LEFT JOIN reporting.pool_capacity c ON c.pool = p.pool
  LEFT JOIN held h ON h.pool = p.pool
$$;
COMMENT ON FUNCTION reporting.pool_utilization_rows() IS 'Body of reporting.pool_utilization (see there).';

CREATE VIEW reporting.pool_utilization AS
SELECT pool, subnet, ip_version, total, excluded, reserved, allocated, reserved_allocated, free, percent_used,
       disabled, terminating
  FROM reporting.pool_utilization_rows();

COMMENT ON VIEW reporting.pool_utilization IS
  'One row per SpiderIPPool: address counts of its effective range (spec.ips minus spec.excludeIPs). '
  'free = total - reserved - allocated + reserved_allocated. Exact at the query''s snapshot.';
COMMENT ON COLUMN reporting.pool_utilization.pool IS 'SpiderIPPool name.';
COMMENT ON COLUMN reporting.pool_utilization.subnet IS 'spec.subnet (NULL only if it is not a valid CIDR).';
COMMENT ON COLUMN reporting.pool_utilization.ip_version IS '4 or 6.';
COMMENT ON COLUMN reporting.pool_utilization.total IS
  'Addresses in spec.ips minus spec.excludeIPs, AFTER excludes, reservations not subtracted: Spiderpool''s '
  'status.totalIPCount, but exact (not capped at 2^63-1).';
COMMENT ON COLUMN reporting.pool_utilization.excluded IS
  'Addresses of spec.ips removed by spec.excludeIPs (excludeIPs outside spec.ips do not count). '
  'NULL if spec.ips does not parse as PostgreSQL inet.';
COMMENT ON COLUMN reporting.pool_utilization.reserved IS
  'Addresses of the effective range covered by at least one live (non-terminating) SpiderReservedIP of the '
  'same IP version; overlapping reservations count once, reservation parts outside the pool or on excluded '
  'addresses do not count. Includes reserved addresses that pods still hold.';
COMMENT ON COLUMN reporting.pool_utilization.allocated IS 'Addresses held by pods (status.allocatedIPCount).';
COMMENT ON COLUMN reporting.pool_utilization.reserved_allocated IS
  'Allocated addresses that a reservation now covers (reserved after they were handed out); counted in '
  'both reserved and allocated. See reporting.reserved_ip_holders.';
COMMENT ON COLUMN reporting.pool_utilization.free IS
  'Addresses a new pod could get: effective, not reserved, not allocated.';
COMMENT ON COLUMN reporting.pool_utilization.percent_used IS
  '100 * (total - free) / total, 2 decimals: share not available to new pods (allocated or reserved). '
  'NULL when total is 0.';
COMMENT ON COLUMN reporting.pool_utilization.disabled IS 'spec.disable: never picked for allocation.';
COMMENT ON COLUMN reporting.pool_utilization.terminating IS 'deletionTimestamp is set (waiting for its allocations to go).';

-- One parameterised PK range scan per reserved range (OFFSET 0 keeps the subquery from being flattened
-- into a join the planner might run as a full scan of allocations).
CREATE FUNCTION reporting.reserved_ip_holders_rows()
RETURNS TABLE (address inet, reservation text, pool text, namespace text, pod text, pod_uid text,
               ip_version smallint, allocated_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET jit = off SET search_path = pg_catalog, public ROWS 1000 AS $$
SELECT a.address, rr.reservation::text, a.pool::text, a.pod_namespace::text, a.pod_name::text,
       a.pod_uid::text, rr.family, a.allocated_at
  FROM ipam_reserved_ranges rr
 CROSS JOIN LATERAL (
       SELECT al.address, al.address_num, al.pool, al.pod_namespace, al.pod_name, al.pod_uid, al.allocated_at
         FROM ipam_allocations al
        WHERE al.family = rr.family AND al.address_num BETWEEN rr.first_num AND rr.last_num
       OFFSET 0) a
$$;
COMMENT ON FUNCTION reporting.reserved_ip_holders_rows() IS 'Body of reporting.reserved_ip_holders (see there).';

CREATE VIEW reporting.reserved_ip_holders AS
SELECT address, reservation, pool, namespace, pod, pod_uid, ip_version, allocated_at
  FROM reporting.reserved_ip_holders_rows();

COMMENT ON VIEW reporting.reserved_ip_holders IS
  'Addresses covered by a live SpiderReservedIP that a pod still holds (allocated before the reservation, '
  'or reserved concurrently). One row per (address, reservation): two reservations covering the same '
  'held address give two rows.';
COMMENT ON COLUMN reporting.reserved_ip_holders.address IS 'The held address (host: /32 or /128).';
COMMENT ON COLUMN reporting.reserved_ip_holders.reservation IS 'SpiderReservedIP name covering it.';
COMMENT ON COLUMN reporting.reserved_ip_holders.pool IS 'SpiderIPPool the address was allocated from.';
COMMENT ON COLUMN reporting.reserved_ip_holders.namespace IS 'Namespace of the holding pod.';
COMMENT ON COLUMN reporting.reserved_ip_holders.pod IS 'Name of the holding pod.';
COMMENT ON COLUMN reporting.reserved_ip_holders.pod_uid IS 'UID of the holding pod.';
COMMENT ON COLUMN reporting.reserved_ip_holders.ip_version IS '4 or 6.';
COMMENT ON COLUMN reporting.reserved_ip_holders.allocated_at IS 'When the pod got the address.';

CREATE VIEW reporting.allocations AS
SELECT a.address                     AS address,
       a.pool::text                  AS pool,
       a.pod_namespace::text         AS namespace,
       a.pod_name::text              AS pod,
       a.pod_uid::text               AS pod_uid,
       a.container_id::text          AS container_id,
       a.if_name::text               AS interface,
       nullif(a.node_name, '')::text AS node,
       a.family                      AS ip_version,
       a.allocated_at                AS allocated_at
  FROM ipam_allocations a;

COMMENT ON VIEW reporting.allocations IS
  'Addresses currently held by pods: one row per (container, interface, IP version). A dual-stack pod has '
  'one IPv4 and one IPv6 row per interface. Rows outlive a force-removed pool.';
COMMENT ON COLUMN reporting.allocations.address IS 'The address (host: /32 or /128).';
COMMENT ON COLUMN reporting.allocations.pool IS 'SpiderIPPool it was allocated from.';
COMMENT ON COLUMN reporting.allocations.namespace IS 'Namespace of the pod.';
COMMENT ON COLUMN reporting.allocations.pod IS 'Name of the pod.';
COMMENT ON COLUMN reporting.allocations.pod_uid IS 'UID of the pod (K8S_POD_UID).';
COMMENT ON COLUMN reporting.allocations.container_id IS 'CNI container ID of the pod sandbox.';
COMMENT ON COLUMN reporting.allocations.interface IS 'Interface inside the pod (CNI_IFNAME), e.g. eth0.';
COMMENT ON COLUMN reporting.allocations.node IS 'Node of the pod when known, else NULL.';
COMMENT ON COLUMN reporting.allocations.ip_version IS '4 or 6.';
COMMENT ON COLUMN reporting.allocations.allocated_at IS 'When the address was handed out.';

CREATE VIEW reporting.allocation_events AS
SELECT e.id                          AS id,
       e.action                      AS event,
       e.address                     AS address,
       e.pool::text                  AS pool,
       e.pod_namespace::text         AS namespace,
       e.pod_name::text              AS pod,
       e.pod_uid::text               AS pod_uid,
       e.container_id::text          AS container_id,
       e.if_name::text               AS interface,
       e.family                      AS ip_version,
       e.at                          AS at
  FROM ipam_allocation_events e;

COMMENT ON VIEW reporting.allocation_events IS
  'History of allocations and releases, kept for the retention period the server is configured with '
  '(reporting.prune_allocation_events). For trends: allocations per hour, pod churn per namespace.';
COMMENT ON COLUMN reporting.allocation_events.id IS 'Order of recording (increasing).';
COMMENT ON COLUMN reporting.allocation_events.event IS 'allocate or release.';
COMMENT ON COLUMN reporting.allocation_events.address IS 'The address allocated or released.';
COMMENT ON COLUMN reporting.allocation_events.pool IS 'SpiderIPPool of the address.';
COMMENT ON COLUMN reporting.allocation_events.namespace IS 'Namespace of the pod.';
COMMENT ON COLUMN reporting.allocation_events.pod IS 'Name of the pod.';
COMMENT ON COLUMN reporting.allocation_events.pod_uid IS 'UID of the pod.';
COMMENT ON COLUMN reporting.allocation_events.container_id IS 'CNI container ID.';
COMMENT ON COLUMN reporting.allocation_events.interface IS 'Interface inside the pod.';
COMMENT ON COLUMN reporting.allocation_events.ip_version IS '4 or 6.';
COMMENT ON COLUMN reporting.allocation_events.at IS 'Transaction time of the change.';

-- ---------------------------------------------------------------------------------------------------
-- Retention of the allocation history

-- Deletes events older than `keep`, at most max_rows per call (oldest first, using the index on `at`), so
-- a first prune of a large backlog never holds one huge transaction. Returns the number deleted; the
-- caller repeats while it returns max_rows.
CREATE FUNCTION reporting.prune_allocation_events(keep interval, max_rows integer DEFAULT 50000) RETURNS bigint
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
                   ORDER BY at
                   LIMIT max_rows);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;
COMMENT ON FUNCTION reporting.prune_allocation_events(interval, integer) IS
  'Retention: deletes allocation events older than keep (at most max_rows per call); returns how many.';

-- ---------------------------------------------------------------------------------------------------
-- Read-only role

-- Functions are executable by PUBLIC by default; only the views are for analysts.
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA reporting FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA reporting FROM PUBLIC;

-- Roles are cluster-wide: it may exist already (another database of this server, or created by an admin
-- because the migrating user lacks CREATEROLE). Without CREATEROLE and without the role, the migration
-- warns and skips the grants rather than failing the server's startup.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ippool_reporting') THEN
        BEGIN
            CREATE ROLE ippool_reporting NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN
                NULL; -- created concurrently by another database's migration
            WHEN insufficient_privilege THEN
                RAISE WARNING 'cannot create role ippool_reporting (needs CREATEROLE); create it and run the '
                              'GRANTs of db/V3__reporting.sql by hand';
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ippool_reporting') THEN
        EXECUTE 'GRANT USAGE ON SCHEMA reporting TO ippool_reporting';
        EXECUTE 'GRANT SELECT ON reporting.pool_utilization, reporting.reserved_ip_holders, '
                'reporting.allocations, reporting.allocation_events TO ippool_reporting';
        -- Called by the two views above, so checked against the caller.
        EXECUTE 'GRANT EXECUTE ON FUNCTION reporting.pool_utilization_rows(), '
                'reporting.reserved_ip_holders_rows() TO ippool_reporting';
    END IF;
END $$;
