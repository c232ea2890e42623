package io.ippool.store.allocation;

import io.ippool.spiderpool.Spiderpool;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigInteger;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;

/**
 * The last step of every allocation or release transaction: each pool whose allocations changed gets ONE
 * new resourceVersion and ONE watch event, however many addresses the batch moved, and the rows the batch
 * wrote are stamped with that resourceVersion. The work is {@code ipam_publish_pools}
 * (db/V6__allocation_in_one_statement.sql), the one definition shared with {@code ipam_allocate_batch}.
 *
 * <p>The event body carries allocatedIPCount and totalIPCount but not allocatedIPs (the event is marked
 * {@code projected}): on a large pool that map is megabytes, and building and logging it on every batch made
 * an allocation cost O(pool size). Readers of the log rebuild it exactly as it was at the event's
 * revision from the stamps ({@link PoolStatusProjection#projectAt}), so the work per batch is O(batch).
 *
 * <p>Finalizer protocol: a Terminating pool (deletionTimestamp set) keeps finalizer
 * {@code spiderpool.spidernet.io} while it has allocations. When a batch leaves it with none, the
 * finalizer is removed in the same transaction; if no other finalizer remains, the pool row is deleted
 * (with its allocator state) and a DELETED event is appended instead of MODIFIED.
 */
public final class PoolRevision {
  private static final String PUBLISH = "SELECT ipam_publish_pools($1, $2::int[]::smallint[], $3::text[]::numeric[], $4)";
  private static final String IDLE_TERMINATING = """
      SELECT r.deleting AND NOT EXISTS (SELECT 1 FROM ipam_allocations a WHERE a.pool = r.name)
        FROM resources r WHERE r.resource = '%s' AND r.namespace = '' AND r.name = $1
         FOR UPDATE""".formatted(Spiderpool.POOLS);

  private PoolRevision() {
  }

  /** What a batch wrote, to be stamped with the new resourceVersions. */
  public record Written(List<Integer> allocatedFamilies, List<BigInteger> allocatedAddresses,
                        List<Long> releaseEvents) {
    public static final Written NOTHING = new Written(List.of(), List.of(), List.of());

    boolean isEmpty() {
      return allocatedFamilies.isEmpty() && releaseEvents.isEmpty();
    }
  }

  /**
   * Bumps each pool (in name order), appends its event, stamps the batch's rows, then one NOTIFY. Pools
   * that no longer exist are skipped. Takes the global revision_counter row lock, held until COMMIT: call
   * it last.
   */
  public static Future<Void> changed(SqlClient tx, Collection<String> pools, Written written) {
    if (pools.isEmpty() && written.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple t = Tuple.tuple().addArrayOfString(new TreeSet<>(pools).toArray(String[]::new))
        .addArrayOfInteger(written.allocatedFamilies().toArray(Integer[]::new))
        .addArrayOfString(written.allocatedAddresses().stream().map(BigInteger::toString).toArray(String[]::new))
        .addArrayOfLong(written.releaseEvents().toArray(Long[]::new));
    return tx.preparedQuery(PUBLISH).execute(t).mapEmpty();
  }

  /** For callers that wrote no allocation rows ({@link #finalizeIfIdle}: an idle Terminating pool). */
  public static Future<Void> changed(SqlClient tx, Collection<String> pools) {
    return changed(tx, pools, Written.NOTHING);
  }

  /**
   * For a pool the store has just marked Terminating: if it holds no allocations, drop its finalizer now
   * (deleting it if that was the last one). Returns true when it acted.
   */
  public static Future<Boolean> finalizeIfIdle(SqlConnection tx, String pool) {
    return tx.preparedQuery(IDLE_TERMINATING).execute(Tuple.of(pool)).compose(rows -> {
      if (rows.size() == 0 || !rows.iterator().next().getBoolean(0)) {
        return Future.succeededFuture(false);
      }
      return changed(tx, List.of(pool)).map(true);
    });
  }
}
