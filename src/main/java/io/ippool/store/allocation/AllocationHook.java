package io.ippool.store.allocation;

import io.ippool.spiderpool.PoolSpecs;
import io.ippool.spiderpool.Spiderpool;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.api.FieldError;
import io.ippool.api.ResourceKind;
import io.ippool.errors.ApiException;
import io.ippool.iprange.AddressRange;
import io.ippool.iprange.RangeSet;
import io.ippool.store.WriteHook;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps the allocator's range tables in step with SpiderIPPool and SpiderReservedIP writes, in the
 * writer's transaction. Refuses a pool update that would strand an allocated address (Spiderpool's
 * validateIPPoolIPInUse) and warns when a reservation covers addresses that pods hold.
 */
public final class AllocationHook implements WriteHook {

  private static final String LOCK_POOL = """
      SELECT r.name FROM resources r
       WHERE r.resource = '%s' AND r.namespace = '' AND r.name = $1
       FOR UPDATE""".formatted(Spiderpool.POOLS);
  private static final String LOCK_POOL_STATE = """
      SELECT family, free_hint::text AS free_hint FROM ipam_pools WHERE pool = $1 FOR UPDATE""";
  private static final String POOL_RANGES = """
      SELECT first_num::text AS first_num, last_num::text AS last_num FROM ipam_pool_ranges WHERE pool = $1""";
  /** The lowest allocated address of the pool outside the given ranges: the one an update would strand. */
  private static final String STRANDED = """
      SELECT host(a.address) AS ip, a.pod_namespace, a.pod_name
        FROM ipam_allocations a
       WHERE a.pool = $1
         AND (a.family <> $2 OR NOT EXISTS (
               SELECT 1 FROM unnest($3::text[]::numeric[], $4::text[]::numeric[]) AS r(f, l)
                WHERE a.address_num BETWEEN r.f AND r.l))
       ORDER BY a.family, a.address_num
       LIMIT 1""";
  private static final String UPSERT_POOL = """
      INSERT INTO ipam_pools (pool, family, prefix_length, total_ips, free_hint)
      VALUES ($1, $2, $3, $4::text::numeric, $5::text::numeric)
      ON CONFLICT (pool) DO UPDATE
         SET family = EXCLUDED.family, prefix_length = EXCLUDED.prefix_length, total_ips = EXCLUDED.total_ips,
             free_hint = EXCLUDED.free_hint, updated_at = now()""";
  private static final String DELETE_POOL_RANGES = "DELETE FROM ipam_pool_ranges WHERE pool = $1";
  private static final String INSERT_POOL_RANGES = """
      INSERT INTO ipam_pool_ranges (pool, family, first_num, last_num, first_ip, last_ip)
      SELECT $1, $2, f, l, fi, li
        FROM unnest($3::text[]::numeric[], $4::text[]::numeric[], $5::text[]::inet[], $6::text[]::inet[])
             AS r(f, l, fi, li)""";
  private static final String DELETE_POOL = "DELETE FROM ipam_pools WHERE pool = $1";

  private static final String RESERVED_RANGES = """
      SELECT family, first_num::text AS first_num, last_num::text AS last_num
        FROM ipam_reserved_ranges WHERE reservation = $1""";
  private static final String DELETE_RESERVED = "DELETE FROM ipam_reserved_ranges WHERE reservation = $1";
  private static final String INSERT_RESERVED = """
      INSERT INTO ipam_reserved_ranges (reservation, family, first_num, last_num, first_ip, last_ip)
      SELECT $1, $2, f, l, fi, li
        FROM unnest($3::text[]::numeric[], $4::text[]::numeric[], $5::text[]::inet[], $6::text[]::inet[])
             AS r(f, l, fi, li)""";
  /**
   * Freed reserved addresses may now be the lowest free ones: pull the hint of every pool of the family
   * down. The subquery locks the rows in pool-name order, the order allocators lock them in.
   */
  private static final String LOWER_HINTS = """
      UPDATE ipam_pools p SET free_hint = $2::text::numeric
       WHERE p.pool IN (SELECT q.pool FROM ipam_pools q
                         WHERE q.family = $1 AND q.free_hint > $2::text::numeric
                         ORDER BY q.pool FOR UPDATE)""";
  private static final int WARN_LIMIT = 20;
  /**
   * Waits for the allocation batches running now (they commit first, with lower resourceVersions, and are
   * then listed as holders) and holds back the ones that start later until this write commits, when they
   * see the reservation (ipam_lock_reservations in db/V8__pod_identity_and_reservation_order.sql).
   */
  private static final String ORDER_AFTER_ALLOCATIONS = "SELECT ipam_lock_reservations()";
  private static final String IN_USE = """
      SELECT host(a.address) AS ip, a.pod_namespace, a.pod_name, count(*) OVER () AS total
        FROM unnest($2::text[]::numeric[], $3::text[]::numeric[]) AS r(f, l)
        JOIN ipam_allocations a ON a.family = $1 AND a.address_num BETWEEN r.f AND r.l
       ORDER BY a.address_num
       LIMIT""" + " " + WARN_LIMIT;
  @Override
  public Future<List<String>> beforeCommit(SqlConnection tx, ResourceKind kind, ObjectNode previous,
                                           ObjectNode next) {
    if (kind.plural().equals(Spiderpool.IPPOOL.plural())) {
      return pool(tx, previous, next).map(v -> List.of());
    }
    if (kind.plural().equals(Spiderpool.RESERVED_IP.plural())) {
      return reservation(tx, previous, next);
    }
    return Future.succeededFuture(List.of());
  }

  // ---- pools ----

  private Future<Void> pool(SqlConnection tx, ObjectNode previous, ObjectNode next) {
    String name = PoolSpecs.name(next != null ? next : previous);
    if (next == null) {
      // Gone for good. Allocation rows stay: a pod may still hold the address (finalizer forced off),
      // and keeping the row keeps the address from being handed out twice.
      return tx.preparedQuery(DELETE_POOL).execute(Tuple.of(name)).mapEmpty();
    }
    PoolSpecs.PoolShape shape;
    try {
      shape = PoolSpecs.poolShape(next);
    } catch (RuntimeException e) {
      return Future.failedFuture(ApiException.invalid(Spiderpool.GROUP, "SpiderIPPool", name,
          List.of(FieldError.invalid("spec.ips", null, e.getMessage()))));
    }
    RangeRows rows = RangeRows.of(shape.effective());
    // Lock order: the pool's resources row, then its ipam_pools row (as the allocator does).
    return tx.preparedQuery(LOCK_POOL).execute(Tuple.of(name))
        .compose(v -> tx.preparedQuery(LOCK_POOL_STATE).execute(Tuple.of(name)))
        .compose(state -> tx.preparedQuery(STRANDED)
            .execute(Tuple.of(name, shape.family(), rows.firsts(), rows.lasts()))
            .compose(stranded -> {
              if (stranded.size() > 0) {
                Row s = stranded.iterator().next();
                return Future.failedFuture(ApiException.invalid(Spiderpool.GROUP, "SpiderIPPool", name,
                    List.of(FieldError.forbidden("spec.ips", "remove an IP address " + s.getString("ip")
                        + " that is being used by Pod " + s.getString("pod_namespace") + "/"
                        + s.getString("pod_name") + ", total IP addresses of an IPPool are jointly determined "
                        + "by 'spec.ips' and 'spec.excludeIPs'"))));
              }
              return newHint(tx, name, state, shape);
            }))
        .compose(hint -> tx.preparedQuery(UPSERT_POOL).execute(Tuple.of(name, shape.family(),
            shape.prefixLength(), RangeSet.count(shape.effective()).toString(), hint.toString())))
        .compose(v -> tx.preparedQuery(DELETE_POOL_RANGES).execute(Tuple.of(name)))
        .compose(v -> tx.preparedQuery(INSERT_POOL_RANGES).execute(Tuple.of(name, shape.family(),
            rows.firsts(), rows.lasts(), rows.firstIps(), rows.lastIps())))
        .mapEmpty();
  }

  /** The hint may stay unless addresses were added below it; then it drops to the lowest added one. */
  private Future<BigInteger> newHint(SqlConnection tx, String name, RowSet<Row> state,
                                     PoolSpecs.PoolShape shape) {
    if (state.size() == 0) {
      return Future.succeededFuture(BigInteger.ZERO);
    }
    Row s = state.iterator().next();
    if (s.getInteger("family") != shape.family()) {
      return Future.succeededFuture(BigInteger.ZERO);
    }
    BigInteger hint = new BigInteger(s.getString("free_hint"));
    return tx.preparedQuery(POOL_RANGES).execute(Tuple.of(name)).map(old -> {
      List<AddressRange> added = RangeSet.subtract(shape.effective(), RangeRows.ranges(shape.family(), old));
      // subtract's result is normalized: its first range holds the lowest added address.
      BigInteger low = added.isEmpty() ? null : added.get(0).first();
      return low != null && low.compareTo(hint) < 0 ? low : hint;
    });
  }

  // ---- reservations ----

  private Future<List<String>> reservation(SqlConnection tx, ObjectNode previous, ObjectNode next) {
    String name = PoolSpecs.name(next != null ? next : previous);
    boolean live = next != null && !PoolSpecs.terminating(next);
    List<AddressRange> now;
    int nowFamily;
    try {
      now = live ? PoolSpecs.reservationRanges(next) : null;
      nowFamily = live ? PoolSpecs.reservationFamily(next) : 0;
    } catch (RuntimeException e) {
      return Future.failedFuture(ApiException.invalid(Spiderpool.GROUP, "SpiderReservedIP", name,
          List.of(FieldError.invalid("spec.ips", null, e.getMessage()))));
    }
    return tx.preparedQuery(RESERVED_RANGES).execute(Tuple.of(name)).compose(oldRows -> {
      List<AddressRange> old = new ArrayList<>();
      for (Row r : oldRows) {
        old.add(new AddressRange(r.getInteger("family"), new BigInteger(r.getString("first_num")),
            new BigInteger(r.getString("last_num"))));
      }
      // Addresses no longer reserved, per family (normalized order puts IPv4 first): pools of that family may
      // now hand out something below their hint. subtract keeps families apart, so a reservation that changed
      // family frees everything it held.
      List<AddressRange> freedAll = RangeSet.subtract(old, now == null ? List.of() : now);
      List<AddressRange> freed = new ArrayList<>();
      for (AddressRange f : freedAll) {
        if (freed.isEmpty() || freed.get(freed.size() - 1).family() != f.family()) {
          freed.add(f); // the lowest freed range of its family
        }
      }
      Future<Void> chain = tx.preparedQuery(DELETE_RESERVED).execute(Tuple.of(name)).mapEmpty();
      for (AddressRange f : freed) {
        chain = chain.compose(v -> tx.preparedQuery(LOWER_HINTS)
            .execute(Tuple.of(f.family(), f.first().toString())).mapEmpty());
      }
      if (now == null || now.isEmpty()) {
        return chain.map(v -> List.<String>of());
      }
      RangeRows rows = RangeRows.of(now);
      return chain
          .compose(v -> tx.query(ORDER_AFTER_ALLOCATIONS).execute())
          .compose(v -> tx.preparedQuery(INSERT_RESERVED).execute(Tuple.of(name, nowFamily, rows.firsts(),
              rows.lasts(), rows.firstIps(), rows.lastIps())))
          .compose(v -> tx.preparedQuery(IN_USE).execute(Tuple.of(nowFamily, rows.firsts(), rows.lasts())))
          .map(inUse -> warnings(name, inUse));
    });
  }

  private static List<String> warnings(String name, RowSet<Row> inUse) {
    if (inUse.size() == 0) {
      return List.of();
    }
    List<String> held = new ArrayList<>();
    long total = 0;
    for (Row r : inUse) {
      total = r.getLong("total");
      held.add(r.getString("ip") + " (" + r.getString("pod_namespace") + "/" + r.getString("pod_name") + ")");
    }
    // A warning header has to stay short: past the first holders, say how many more there are.
    if (total > held.size()) {
      held.add("and " + (total - held.size()) + " more");
    }
    return List.of("SpiderReservedIP " + name + " covers addresses in use: " + String.join(", ", held));
  }
}
