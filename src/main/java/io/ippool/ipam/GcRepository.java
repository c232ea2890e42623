package io.ippool.ipam;

import io.ippool.spiderpool.GarbageRules.Holder;
import io.vertx.core.Future;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

/** What the garbage collector needs stored: who holds addresses, and reclaiming exactly those holders. */
public interface GcRepository {
  /** A holder as read, with when its newest address was handed out. */
  record HeldBy(Holder holder, OffsetDateTime newest) {
  }

  /** A holder to reclaim and why. */
  record Doomed(Holder holder, String reason) {
  }

  /** One reclaimed address. */
  record Reclaimed(String address, String pool, String namespace, String pod, String uid, String container,
                   String ifName, String reason) {
  }

  /** The statements of one sweep, on the connection that holds the sweep lock. */
  interface Sweep {
    /** Every pool with allocator state, in name order. */
    Future<List<String>> pools();

    /** The holders of addresses in these pools. */
    Future<List<HeldBy>> holders(Collection<String> pools);

    /** Reclaims what exactly these pod identities still hold, as one statement. */
    Future<List<Reclaimed>> reclaim(List<Doomed> doomed);
  }

  /** Holders among the named pods ({@code keys} are "namespace/name"). */
  Future<List<HeldBy>> podHolders(Collection<String> keys);

  /** Reclaims what exactly these pod identities still hold, as one statement. */
  Future<List<Reclaimed>> reclaim(List<Doomed> doomed);

  /**
   * Runs {@code sweep} while holding the collector's lock, so one replica sweeps at a time; completes with false
   * without running it when another replica holds the lock.
   */
  Future<Boolean> exclusively(Function<Sweep, Future<?>> sweep);
}
