package io.ippool.store.allocation;

import io.ippool.iprange.AddressRange;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranges as the parallel text arrays our SQL takes. Numbers go over the wire as text and are cast to
 * numeric in SQL: 128-bit values do not fit any Java primitive the client would bind. The number is the
 * address as an unsigned integer of its own family (IPv4 0..2^32-1, IPv6 0..2^128-1), which is exactly
 * {@link AddressRange}'s first/last.
 */
record RangeRows(String[] firsts, String[] lasts, String[] firstIps, String[] lastIps) {

  static RangeRows of(List<AddressRange> list) {
    String[] f = new String[list.size()];
    String[] l = new String[list.size()];
    String[] fi = new String[list.size()];
    String[] li = new String[list.size()];
    for (int i = 0; i < list.size(); i++) {
      AddressRange r = list.get(i);
      f[i] = r.first().toString();
      l[i] = r.last().toString();
      fi[i] = r.firstIp().toString();
      li[i] = r.lastIp().toString();
    }
    return new RangeRows(f, l, fi, li);
  }

  /** Rows with first_num/last_num columns, all of {@code family}, as ranges in row order. */
  static List<AddressRange> ranges(int family, Iterable<io.vertx.sqlclient.Row> rows) {
    List<AddressRange> out = new ArrayList<>();
    for (var row : rows) {
      out.add(new AddressRange(family, new BigInteger(row.getString("first_num")),
          new BigInteger(row.getString("last_num"))));
    }
    return out;
  }
}
