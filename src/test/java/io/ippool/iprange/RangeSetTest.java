package io.ippool.iprange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** The sweeps agree with a brute-force bitmap on small random inputs. */
class RangeSetTest {
  private static final int SPACE = 64;

  private static List<AddressRange> random(Random rnd, int n) {
    List<AddressRange> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int a = rnd.nextInt(SPACE);
      int b = a + rnd.nextInt(6);
      out.add(new AddressRange(4, BigInteger.valueOf(a), BigInteger.valueOf(Math.min(b, SPACE - 1))));
    }
    return out;
  }

  private static BitSet bits(List<AddressRange> rs) {
    BitSet s = new BitSet();
    for (AddressRange r : rs) {
      s.set(r.first().intValue(), r.last().intValue() + 1);
    }
    return s;
  }

  private static void assertNormal(List<AddressRange> rs) {
    for (int i = 1; i < rs.size(); i++) {
      assertTrue(rs.get(i).first().compareTo(rs.get(i - 1).last().add(BigInteger.TWO)) >= 0, rs.toString());
    }
  }

  @RepeatedTest(200)
  void agreesWithBitmaps(RepetitionInfo info) {
    Random rnd = new Random(info.getCurrentRepetition()); // seeded: a failure reproduces
    List<AddressRange> a = random(rnd, rnd.nextInt(6));
    List<AddressRange> b = random(rnd, rnd.nextInt(6));
    BitSet ba = bits(a);
    BitSet bb = bits(b);

    List<AddressRange> diff = RangeSet.subtract(a, b);
    BitSet expDiff = (BitSet) ba.clone();
    expDiff.andNot(bb);
    assertEquals(expDiff, bits(diff), a + " - " + b);
    assertNormal(diff);

    List<AddressRange> inter = RangeSet.intersect(a, b);
    BitSet expInter = (BitSet) ba.clone();
    expInter.and(bb);
    assertEquals(expInter, bits(inter), a + " & " + b);
    assertNormal(inter);

    List<AddressRange> uni = RangeSet.union(a, b);
    BitSet expUni = (BitSet) ba.clone();
    expUni.or(bb);
    assertEquals(expUni, bits(uni));
    assertNormal(uni);
    assertEquals(BigInteger.valueOf(expUni.cardinality()), RangeSet.count(uni));

    for (int v = 0; v < SPACE; v++) {
      assertEquals(expDiff.get(v), RangeSet.contains(diff, new Ip(4, BigInteger.valueOf(v))));
    }
  }

  @Test
  void familiesNeverMix() {
    AddressRange v4 = new AddressRange(4, BigInteger.ZERO, BigInteger.TEN);
    AddressRange v6 = new AddressRange(6, BigInteger.ZERO, BigInteger.TEN);
    assertEquals(List.of(v4, v6), RangeSet.union(List.of(v6), List.of(v4)));
    assertEquals(List.of(v4), RangeSet.subtract(List.of(v4), List.of(v6)));
    assertEquals(List.of(), RangeSet.intersect(List.of(v4), List.of(v6)));
    assertTrue(RangeSet.contains(List.of(v4, v6), new Ip(6, BigInteger.ONE)));
    assertFalse(RangeSet.contains(List.of(v4), new Ip(6, BigInteger.ONE)));
  }
}
