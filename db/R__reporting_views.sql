-- The reporting views: the documented contract for SQL analysts (README, "SQL reporting"). Every view of the
-- `reporting` schema, and the function each of the two heavy ones reads from, is defined here and only here.
--
-- A repeatable migration: Flyway runs it after all versioned ones, and again whenever this file changes, so a view
-- is changed here, in place, and never patched by a later versioned file. Each run drops and re-creates the
-- views (CREATE OR REPLACE VIEW cannot drop, rename or retype a column) inside the migration's transaction, so
-- readers see the old views or the new ones, never none. No CASCADE: a view someone built on one of these makes
-- the migration fail, naming it, instead of disappearing silently.
--
-- Grants are re-applied at the end: a dropped view loses them, and a re-created function is executable by PUBLIC
-- again. The tables, the cache and its triggers, and the helper functions stay in db/V3__reporting.sql.

DROP VIEW IF EXISTS reporting.pool_utilization;
DROP VIEW IF EXISTS reporting.reserved_ip_holders;
DROP VIEW IF EXISTS reporting.allocations;
DROP VIEW IF EXISTS reporting.allocation_events;
DROP FUNCTION IF EXISTS reporting.pool_utilization_rows();
DROP FUNCTION IF EXISTS reporting.reserved_ip_holders_rows();

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
       e.at                          AS at,
       e.reason                      AS reason
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
COMMENT ON COLUMN reporting.allocation_events.reason IS
  'Why the garbage collector reclaimed the address (pod_deleted, pod_uid_changed, terminating_past_grace, '
  'pod_finished, node_deleted, statefulset_*; statefulset_adopted: handed to the re-created pod of the same '
  'name); NULL for allocations and CNI DEL releases.';

-- ---------------------------------------------------------------------------------------------------
-- Rights: only the views are for analysts (role ippool_reporting, created by db/V3__reporting.sql when the
-- migrating user may create roles).

REVOKE ALL ON FUNCTION reporting.pool_utilization_rows(), reporting.reserved_ip_holders_rows() FROM PUBLIC;
REVOKE ALL ON reporting.pool_utilization, reporting.reserved_ip_holders, reporting.allocations,
              reporting.allocation_events FROM PUBLIC;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ippool_reporting') THEN
        EXECUTE 'GRANT USAGE ON SCHEMA reporting TO ippool_reporting';
        EXECUTE 'GRANT SELECT ON reporting.pool_utilization, reporting.reserved_ip_holders, '
                'reporting.allocations, reporting.allocation_events TO ippool_reporting';
        -- Called by the two views above, so checked against the caller.
        EXECUTE 'GRANT EXECUTE ON FUNCTION reporting.pool_utilization_rows(), '
                'reporting.reserved_ip_holders_rows() TO ippool_reporting';
    END IF;
END $$;
