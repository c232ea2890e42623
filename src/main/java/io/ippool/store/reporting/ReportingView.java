package io.ippool.store.reporting;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The views of the {@code reporting} schema (db/V3__reporting.sql), a documented contract, each with the order its
 * rows are printed in. The CLI names a view by its name with dashes ({@code pool-utilization}) or a short alias.
 */
public enum ReportingView {
  POOL_UTILIZATION("pool_utilization", "pool", "pools"),
  RESERVED_IP_HOLDERS("reserved_ip_holders", "address, reservation", "reserved"),
  ALLOCATIONS("allocations", "pool, address, interface", "allocs"),
  ALLOCATION_EVENTS("allocation_events", "id", "events");

  private final String view;
  private final String orderBy;
  private final String alias;

  ReportingView(String view, String orderBy, String alias) {
    this.view = view;
    this.orderBy = orderBy;
    this.alias = alias;
  }

  /** The CLI name: the view's name with dashes. */
  public String cliName() {
    return view.replace('_', '-');
  }

  public String alias() {
    return alias;
  }

  /** The view's qualified name, e.g. {@code reporting.pool_utilization}. */
  public String qualifiedName() {
    return "reporting." + view;
  }

  String query() {
    return "SELECT * FROM " + qualifiedName() + " ORDER BY " + orderBy;
  }

  /** By CLI name, view name (underscores) or alias, case-insensitive; null when none matches. */
  public static ReportingView byName(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace('_', '-');
    return Arrays.stream(values()).filter(v -> v.cliName().equals(n) || v.alias.equals(n)
        || ("reporting." + v.cliName()).equals(n)).findFirst().orElse(null);
  }

  public static List<String> cliNames() {
    return Arrays.stream(values()).map(ReportingView::cliName).toList();
  }
}
