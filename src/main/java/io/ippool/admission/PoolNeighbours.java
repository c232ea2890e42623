package io.ippool.admission;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ippool.iprange.Cidr;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlConnection;
import java.util.List;
import java.util.Map;

/** What pool admission needs to know about the other pools and the pods, read in the write's transaction. */
public interface PoolNeighbours {
  /** The pools whose subnet overlaps {@code subnet}, by name: the only ones the overlap rules can concern. */
  Future<List<ObjectNode>> overlapping(Cidr subnet);

  /** The addresses of {@code pool} that pods hold now: canonical IP text to "namespace/pod". */
  Future<Map<String, String>> allocated(String pool);

  /** Answers the questions inside one write transaction. */
  @FunctionalInterface
  interface Source {
    PoolNeighbours within(SqlConnection tx);
  }
}
