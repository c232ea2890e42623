package io.ippool.schema;

import io.ippool.spiderpool.Spiderpool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ippool.api.ResourceKind;
import java.util.List;
import org.junit.jupiter.api.Test;

class CrdsTest {
  @Test
  void allSixKindsInStableOrder() {
    assertEquals(List.of("spiderippools", "spiderreservedips", "spidersubnets", "spidercoordinators",
        "spiderendpoints", "spidermultusconfigs"), Crds.all().stream().map(k -> k.kind().plural()).toList());
    // The constants the server knows the two IPAM kinds by say what their CRDs say.
    assertEquals(Spiderpool.IPPOOL, Crds.all().get(0).kind());
    assertEquals(Spiderpool.RESERVED_IP, Crds.all().get(1).kind());
  }

  @Test
  void namesScopeAndSubresources() {
    ResourceKind se = Crds.byPlural("spiderendpoints").orElseThrow().kind();
    assertTrue(se.namespaced());
    assertFalse(se.hasStatusSubresource());
    assertEquals(List.of("se"), se.shortNames());
    ResourceKind smc = Crds.byPlural("spidermultusconfigs").orElseThrow().kind();
    assertTrue(smc.namespaced());
    assertEquals("SpiderMultusConfigList", smc.listKind());
    assertTrue(Crds.byPlural("spidersubnets").orElseThrow().kind().hasStatusSubresource());
    assertTrue(Crds.byPlural("spidercoordinators").orElseThrow().kind().hasStatusSubresource());
    assertEquals(List.of("scc"), Crds.byPlural("spidercoordinators").orElseThrow().kind().shortNames());
  }

  @Test
  void storageVersionHashes() {
    assertEquals("QLCm9TZ2Fgs=", Crds.byKind("SpiderIPPool").orElseThrow().storageVersionHash());
    assertEquals("nQIAt9/+x7c=", Crds.byKind("SpiderReservedIP").orElseThrow().storageVersionHash());
  }

  @Test
  void printerColumnsAsWrittenInTheCrd() {
    List<PrinterColumn> cols = Crds.byKind("SpiderIPPool").orElseThrow().printerColumns();
    assertEquals(9, cols.size());
    assertEquals(new PrinterColumn("APP-NAMESPACE", "string", "", "AppNamespace", 10,
        ".spec.podAffinity.matchLabels['ipam\\.spidernet\\.io/app\\-namespace']"), cols.get(8));
    assertEquals(List.of(), Crds.byKind("SpiderCoordinator").orElseThrow().printerColumns());
  }
}
