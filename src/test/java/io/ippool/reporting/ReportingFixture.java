package io.ippool.reporting;

import io.ippool.store.allocation.SqlAllocationRepository;
import static io.ippool.store.allocation.AllocFixture.await;

import io.ippool.ipam.Allocator;
import io.ippool.ipam.AllocatorConfig;
import io.ippool.ipam.IpamModels.AddArgs;
import io.ippool.ipam.IpamModels.AddResponse;
import io.ippool.ipam.IpamModels.DelArgs;
import io.ippool.ipam.KubeMetadata;
import io.ippool.store.allocation.AllocFixture;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pools and reservations go through the allocator's WriteHook ({@link AllocFixture}), addresses through
 * the real {@link Allocator}, so the views are tested on rows written exactly as in production. Reads
 * go through plain JDBC, as an analyst's client would.
 */
final class ReportingFixture implements AutoCloseable {
  final AllocFixture fx;
  final Allocator alloc;
  final Connection jdbc;

  ReportingFixture() {
    fx = AllocFixture.fresh();
    alloc = new Allocator(new SqlAllocationRepository(fx.db), KubeMetadata.standalone(), AllocatorConfig.defaults().withMaxAllocatedIPs(0));
    try {
      jdbc = DriverManager.getConnection(fx.url.jdbcUrl(), fx.url.user(), fx.url.password());
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Allocates for pod ns/name on eth0 (container c-ns-name) from the given pools; returns the addresses. */
  List<String> allocate(String ns, String pod, List<String> v4Pools, List<String> v6Pools) {
    return allocate(ns, pod, "eth0", v4Pools, v6Pools);
  }

  List<String> allocate(String ns, String pod, String ifName, List<String> v4Pools, List<String> v6Pools) {
    AddResponse r = await(alloc.allocate(new AddArgs(container(ns, pod), ifName, "/proc/1/ns/net", ns, pod,
        "uid-" + pod, v4Pools, v6Pools, false, false)));
    List<String> out = new ArrayList<>();
    r.ips().forEach(ip -> out.add(ip.address().split("/")[0]));
    return out;
  }

  void release(String ns, String pod, String ifName) {
    await(alloc.release(new DelArgs(container(ns, pod), ifName, null, ns, pod, "uid-" + pod)));
  }

  static String container(String ns, String pod) {
    return "c-" + ns + "-" + pod;
  }

  /** Every row of a query, column label -> value as text (JDBC getString, what psql prints). */
  List<Map<String, String>> rows(String sql) {
    try (Statement s = jdbc.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rows(rs);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  static List<Map<String, String>> rows(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    List<Map<String, String>> out = new ArrayList<>();
    while (rs.next()) {
      Map<String, String> row = new LinkedHashMap<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        row.put(md.getColumnLabel(i), rs.getString(i));
      }
      out.add(row);
    }
    return out;
  }

  Map<String, String> poolRow(String pool) {
    List<Map<String, String>> r = rows("SELECT * FROM reporting.pool_utilization WHERE pool = '" + pool + "'");
    if (r.size() != 1) {
      throw new AssertionError("expected one row for pool " + pool + ", got " + r);
    }
    return r.get(0);
  }

  void exec(String sql) {
    try (Statement s = jdbc.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  @Override
  public void close() {
    try {
      jdbc.close();
    } catch (SQLException ignored) {
      // closing anyway
    }
    fx.close();
  }
}
