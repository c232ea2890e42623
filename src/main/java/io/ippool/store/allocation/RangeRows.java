package io.ippool.store.allocation;

import io.ippool.ipam.internal.IpAddr;
import io.ippool.ipam.internal.IpRanges;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranges as the parallel text arrays our SQL takes. Numbers go over the wire as text and are cast to
 * numeric in SQL: 128-bit values do not fit any Java primitive the client would bind.
 */
record RangeRows(String[] firsts, String[] lasts, String[] firstIps, String[] lastIps) {

  static RangeRows of(IpRanges r) {
    List<IpRanges.Range> list = r.ranges();
    String[] f = new String[list.size()];
    String[] l = new String[list.size()];
    String[] fi = new String[list.size()];
    String[] li = new String[list.size()];
    for (int i = 0; i < list.size(); i++) {
      f[i] = list.get(i).first().toString();
      l[i] = list.get(i).last().toString();
      fi[i] = IpAddr.format(r.family(), list.get(i).first());
      li[i] = IpAddr.format(r.family(), list.get(i).last());
    }
    return new RangeRows(f, l, fi, li);
  }

  static List<IpRanges.Range> ranges(Iterable<io.vertx.sqlclient.Row> rows) {
    List<IpRanges.Range> out = new ArrayList<>();
    for (var row : rows) {
      out.add(new IpRanges.Range(new BigInteger(row.getString("first_num")), new BigInteger(row.getString("last_num"))));
    }
    return out;
  }
}
