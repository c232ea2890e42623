-- Benchmark data set for the reporting views, generated set-based (seconds, not minutes). It writes the
-- same rows the resource store and AllocationHook would write for these objects; going through the hook
-- for 20,000 objects would only measure the hook.
--
--   9,000 IPv4 pools  v4-NNNNN  10.a.b.0/24, ips .1-.254, excludeIPs .100-.109 (2 effective ranges, 244 addresses)
--   1,000 IPv6 pools  v6-NNNNN  fd00:0:0:j::/64, ips ::1-::ffff:ffff:ffff:fffe, excludeIPs ::100-::1ff
--   1,000,000 allocations: the 100 lowest effective addresses of every pool; IPv6 pool j's pods are the
--                          IPv4 pool j's pods (dual stack)
--   10,000 reserved ranges (one SpiderReservedIP each):
--     8,000 inside IPv4 pools (unallocated part; every 80th starts lower and covers allocated addresses)
--     1,000 over allocated addresses .50-.52 of pools 0..999 (overlapping the ones above in 13 pools)
--       500 straddling the boundary of two adjacent IPv4 pools
--       500 IPv6, 2^40 addresses each, from ::90 (covers 11 allocations)
-- Allocation times are spread over the last 24 hours, deterministically.

CREATE FUNCTION pg_temp.v4(n numeric) RETURNS inet LANGUAGE sql IMMUTABLE AS
  $$ SELECT '0.0.0.0'::inet + n::bigint $$;
-- Not ipam_num_to_inet: its numeric division rounds up for addresses just below a group boundary
-- (e.g. fd00:0:0:2:ffff:ffff:ffff:fffe), which this data set has. div() is exact.
CREATE FUNCTION pg_temp.v6(n numeric) RETURNS inet LANGUAGE sql IMMUTABLE AS $$
  SELECT string_agg(to_hex(mod(div(n, 65536::numeric ^ g), 65536)::int), ':' ORDER BY g DESC)::inet
    FROM generate_series(0, 7) g $$;

-- IPv4 pools: base(i) = 10.0.0.0 + 256 i
INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, body)
SELECT 'spiderippools', '', format('v4-%s', lpad(i::text, 5, '0')), gen_random_uuid(), 1, now(),
       jsonb_build_object('apiVersion', 'spiderpool.spidernet.io/v2beta1', 'kind', 'SpiderIPPool',
         'metadata', jsonb_build_object('name', format('v4-%s', lpad(i::text, 5, '0')),
                                        'finalizers', jsonb_build_array('spiderpool.spidernet.io')),
         'spec', jsonb_build_object('subnet', host(pg_temp.v4(b)) || '/24', 'ipVersion', 4,
                   'ips', jsonb_build_array(host(pg_temp.v4(b + 1)) || '-' || host(pg_temp.v4(b + 254))),
                   'excludeIPs', jsonb_build_array(host(pg_temp.v4(b + 100)) || '-' || host(pg_temp.v4(b + 109))),
                   'default', false, 'disable', false))
  FROM generate_series(0, 8999) i, LATERAL (SELECT 167772160::numeric + 256 * i AS b) x;

INSERT INTO ipam_pools (pool, family, prefix_length, total_ips, allocated_count, free_hint)
SELECT format('v4-%s', lpad(i::text, 5, '0')), 4, 24, 244, 100, 167772160::numeric + 256 * i + 111
  FROM generate_series(0, 8999) i;

INSERT INTO ipam_pool_ranges (pool, family, first_num, last_num, first_ip, last_ip)
SELECT format('v4-%s', lpad(i::text, 5, '0')), 4, b + f, b + l, pg_temp.v4(b + f), pg_temp.v4(b + l)
  FROM generate_series(0, 8999) i, LATERAL (SELECT 167772160::numeric + 256 * i AS b) x,
       (VALUES (1, 99), (110, 254)) AS r(f, l);

-- IPv6 pools: base(j) = fd00:0:0:j:: = 0xfd00 * 2^112 + j * 2^64
INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, body)
SELECT 'spiderippools', '', format('v6-%s', lpad(j::text, 5, '0')), gen_random_uuid(), 1, now(),
       jsonb_build_object('apiVersion', 'spiderpool.spidernet.io/v2beta1', 'kind', 'SpiderIPPool',
         'metadata', jsonb_build_object('name', format('v6-%s', lpad(j::text, 5, '0')),
                                        'finalizers', jsonb_build_array('spiderpool.spidernet.io')),
         'spec', jsonb_build_object('subnet', format('fd00:0:0:%s::/64', to_hex(j)), 'ipVersion', 6,
                   'ips', jsonb_build_array(format('fd00:0:0:%s::1-fd00:0:0:%s:ffff:ffff:ffff:fffe', to_hex(j), to_hex(j))),
                   'excludeIPs', jsonb_build_array(format('fd00:0:0:%s::100-fd00:0:0:%s::1ff', to_hex(j), to_hex(j))),
                   'default', false, 'disable', false))
  FROM generate_series(0, 999) j;

INSERT INTO ipam_pools (pool, family, prefix_length, total_ips, allocated_count, free_hint)
SELECT format('v6-%s', lpad(j::text, 5, '0')), 6, 64, 18446744073709551616::numeric - 258, 100,
       336294682933583715844663186250927177728::numeric + 18446744073709551616::numeric * j + 101
  FROM generate_series(0, 999) j;

INSERT INTO ipam_pool_ranges (pool, family, first_num, last_num, first_ip, last_ip)
SELECT format('v6-%s', lpad(j::text, 5, '0')), 6, b + f, b + l, pg_temp.v6(b + f),
       pg_temp.v6(b + l)
  FROM generate_series(0, 999) j,
       LATERAL (SELECT 336294682933583715844663186250927177728::numeric + 18446744073709551616::numeric * j AS b) x,
       (VALUES (1::numeric, 255::numeric), (512::numeric, 18446744073709551614::numeric)) AS r(f, l);

-- Allocations: IPv4 k = 1..100 -> .1-.99 and .110; IPv6 k -> ::k
INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, pod_namespace,
                              pod_name, pod_uid, node_name, allocated_at)
SELECT 4, a, pg_temp.v4(a), format('v4-%s', lpad(i::text, 5, '0')), format('c-%s-%s', i, k), 'eth0',
       'ns-' || (i % 50), format('pod-%s-%s', i, k), format('uid-%s-%s', i, k), 'node-' || (i % 20),
       now() - make_interval(mins => (i * 7 + k * 13) % 1440)
  FROM generate_series(0, 8999) i, generate_series(1, 100) k,
       LATERAL (SELECT 167772160::numeric + 256 * i + CASE WHEN k <= 99 THEN k ELSE 110 END AS a) x;

INSERT INTO ipam_allocations (family, address_num, address, pool, container_id, if_name, pod_namespace,
                              pod_name, pod_uid, node_name, allocated_at)
SELECT 6, a, pg_temp.v6(a), format('v6-%s', lpad(j::text, 5, '0')), format('c-%s-%s', j, k),
       'eth0', 'ns-' || (j % 50), format('pod-%s-%s', j, k), format('uid-%s-%s', j, k), 'node-' || (j % 20),
       now() - make_interval(mins => (j * 7 + k * 13) % 1440)
  FROM generate_series(0, 999) j, generate_series(1, 100) k,
       LATERAL (SELECT 336294682933583715844663186250927177728::numeric + 18446744073709551616::numeric * j + k AS a) x;

-- One allocate event per allocation, and a release + allocate pair for every 10th (pod churn).
INSERT INTO ipam_allocation_events (at, action, family, address, pool, container_id, if_name, pod_namespace,
                                    pod_name, pod_uid)
SELECT allocated_at, 'allocate', family, address, pool, container_id, if_name, pod_namespace, pod_name, pod_uid
  FROM ipam_allocations;
INSERT INTO ipam_allocation_events (at, action, family, address, pool, container_id, if_name, pod_namespace,
                                    pod_name, pod_uid)
SELECT allocated_at - interval '5 minutes', a.action, family, address, pool, container_id || '-old', if_name,
       pod_namespace, pod_name, pod_uid
  FROM ipam_allocations, (VALUES ('allocate'), ('release')) a(action)
 WHERE address_num % 10 = 0;

-- Reservations
CREATE TEMP TABLE bench_rsv (reservation text, family smallint, first_num numeric, last_num numeric);
INSERT INTO bench_rsv
SELECT format('rsv-in-%s', i), 4, b + CASE WHEN i % 80 = 0 THEN 45 ELSE 200 + i % 5 END, b + 220
  FROM generate_series(0, 7999) i, LATERAL (SELECT 167772160::numeric + 256 * i AS b) x;
INSERT INTO bench_rsv
SELECT format('rsv-held-%s', i), 4, b + 50, b + 52
  FROM generate_series(0, 999) i, LATERAL (SELECT 167772160::numeric + 256 * i AS b) x;
INSERT INTO bench_rsv
SELECT format('rsv-straddle-%s', i), 4, b + 250, b + 256 + 5
  FROM generate_series(8000, 8499) i, LATERAL (SELECT 167772160::numeric + 256 * i AS b) x;
INSERT INTO bench_rsv
SELECT format('rsv-v6-%s', j), 6, b + 90, b + 1099511627776
  FROM generate_series(0, 499) j,
       LATERAL (SELECT 336294682933583715844663186250927177728::numeric + 18446744073709551616::numeric * j AS b) x;

INSERT INTO ipam_reserved_ranges (reservation, family, first_num, last_num, first_ip, last_ip)
SELECT reservation, family, first_num, last_num,
       CASE family WHEN 4 THEN pg_temp.v4(first_num) ELSE pg_temp.v6(first_num) END,
       CASE family WHEN 4 THEN pg_temp.v4(last_num) ELSE pg_temp.v6(last_num) END
  FROM bench_rsv;

INSERT INTO resources (resource, namespace, name, uid, resource_version, created_at, body)
SELECT 'spiderreservedips', '', reservation, gen_random_uuid(), 1, now(),
       jsonb_build_object('apiVersion', 'spiderpool.spidernet.io/v2beta1', 'kind', 'SpiderReservedIP',
         'metadata', jsonb_build_object('name', reservation),
         'spec', jsonb_build_object('ipVersion', family,
                   'ips', jsonb_build_array(host(first_ip) || '-' || host(last_ip))))
  FROM ipam_reserved_ranges;

ANALYZE;
