package io.ippool.image;

import io.ippool.testsupport.ProcessRun;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The OCI archive image/build-oci.sh writes (`.ci/run` builds it; plain `mvn verify` does not, and this test then
 * skips): its layout and digests, its config (user, entrypoint, labels), its size, and its entrypoint run with
 * {@code version} and {@code --help} in a chroot of the image's own root filesystem, as the image's user, with
 * /proc mounted, since these machines cannot run containers.
 */
class OciImageIT {
  static final Path ARCHIVE = Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
      .resolve("target/ippool-apiserver-oci.tar");
  static final String UID = "65532";
  static final long MAX_BYTES = 120L << 20;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** By absolute path: the image's environment (PATH of the image) is all the chrooted process gets. */
  private static final String CHROOT = Files.isExecutable(Path.of("/usr/sbin/chroot")) ? "/usr/sbin/chroot"
      : "/usr/bin/chroot";

  private static Path dir;
  private static Path layout;
  private static Path rootfs;
  private static JsonNode manifest;
  private static JsonNode config;
  private static boolean procMounted;

  record Run(int exit, String out, String err) {
  }

  @BeforeAll
  static void unpack() throws Exception {
    Assumptions.assumeTrue(Files.exists(ARCHIVE), ARCHIVE + " was not built (image/build-oci.sh after mvn package; "
        + ".ci/run does both)");
    Assumptions.assumeTrue("root".equals(System.getProperty("user.name")), "chroot and mount need root");
    dir = Files.createTempDirectory("oci-image-it");
    layout = dir.resolve("layout");
    rootfs = dir.resolve("rootfs");
    Files.createDirectories(layout);
    Files.createDirectories(rootfs);
    ok(run(List.of("tar", "-xf", ARCHIVE.toString(), "-C", layout.toString())));
    JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
    manifest = JSON.readTree(blob(index.path("manifests").get(0).path("digest").asText()).toFile());
    config = JSON.readTree(blob(manifest.path("config").path("digest").asText()).toFile());
    for (JsonNode layer : manifest.path("layers")) {
      // As root, tar keeps the layer's owners (the home directory belongs to the image's user).
      ok(run(List.of("tar", "-xzf", blob(layer.path("digest").asText()).toString(), "-C", rootfs.toString())));
    }
    ok(run(List.of("mount", "-t", "proc", "proc", rootfs.resolve("proc").toString())));
    procMounted = true;
  }

  @AfterAll
  static void cleanUp() throws Exception {
    if (procMounted) {
      Run r = run(List.of("umount", rootfs.resolve("proc").toString()));
      if (r.exit() != 0) {
        run(List.of("umount", "-l", rootfs.resolve("proc").toString()));
      }
    }
    if (dir != null) {
      run(List.of("rm", "-rf", "--one-file-system", dir.toString()));
    }
  }

  @Test
  void layout_digestsAndSizesMatch() throws Exception {
    assertEquals("{\"imageLayoutVersion\":\"1.0.0\"}", Files.readString(layout.resolve("oci-layout")).trim());
    assertEquals("application/vnd.oci.image.manifest.v1+json", manifest.path("mediaType").asText());
    List<JsonNode> descriptors = new ArrayList<>();
    descriptors.add(manifest.path("config"));
    manifest.path("layers").forEach(descriptors::add);
    for (JsonNode d : descriptors) {
      Path b = blob(d.path("digest").asText());
      assertEquals("sha256:" + sha256(b), d.path("digest").asText(), "blob content matches its digest");
      assertEquals(Files.size(b), d.path("size").asLong());
    }
    assertEquals(manifest.path("layers").size(), config.path("rootfs").path("diff_ids").size());
  }

  @Test
  void config_userEntrypointLabels_andSize() throws Exception {
    JsonNode c = config.path("config");
    assertEquals(UID + ":" + UID, c.path("User").asText(), "the Deployment's runAsUser/runAsGroup");
    assertEquals(List.of("/opt/ippool/jre/bin/java", "-XX:MaxRAMPercentage=75", "-jar",
        "/opt/ippool/ippool-apiserver.jar"), texts(c.path("Entrypoint")));
    assertEquals(List.of("serve"), texts(c.path("Cmd")));
    JsonNode labels = c.path("Labels");
    assertEquals("ippool-apiserver", labels.path("org.opencontainers.image.title").asText());
    assertEquals(System.getProperty("project.version", "0.1.0-SNAPSHOT"),
        labels.path("org.opencontainers.image.version").asText());
    for (String key : List.of("description", "revision", "created", "source", "licenses")) {
      assertTrue(!labels.path("org.opencontainers.image." + key).asText().isBlank(), key + ": " + labels);
    }
    assertEquals(UID, String.valueOf(Files.getAttribute(rootfs.resolve("var/lib/ippool"), "unix:uid")),
        "the working directory belongs to the image's user");
    long compressed = 0;
    for (JsonNode layer : manifest.path("layers")) {
      compressed += layer.path("size").asLong();
    }
    long unpacked;
    try (Stream<Path> files = Files.walk(rootfs.resolve("opt")).filter(Files::isRegularFile)) {
      unpacked = files.mapToLong(p -> p.toFile().length()).sum();
    }
    System.out.printf("image: %.1f MiB compressed layers, archive %.1f MiB, /opt unpacked %.1f MiB%n",
        compressed / 1048576.0, Files.size(ARCHIVE) / 1048576.0, unpacked / 1048576.0);
    assertTrue(compressed <= MAX_BYTES, "compressed layers " + compressed + " bytes > 120 MiB");
  }

  @Test
  void entrypoint_printsVersionAndHelp_inAChrootOfTheImage() throws Exception {
    Run version = inImage("version");
    assertEquals(0, version.exit(), version.err());
    assertEquals("ippool-apiserver " + System.getProperty("project.version", "0.1.0-SNAPSHOT") + "\n",
        version.out());
    Run help = inImage("--help");
    assertEquals(0, help.exit(), help.err());
    assertTrue(help.out().contains("Usage: ippool-apiserver") && help.out().contains("serve"), help.out());
  }

  @Test
  void cniInstallerFindsItsShellAndThePluginRuntime() throws Exception {
    Run sh = run(List.of(CHROOT, rootfs.toString(), "/bin/sh", "-c",
        "ls /opt/ippool/cni/ippool-cni /opt/ippool/cni/ippool-cni.jar && /opt/ippool/cni-jre/bin/java -version"));
    assertEquals(0, sh.exit(), sh.out() + sh.err());
    assertTrue(sh.err().contains("version \"17"), sh.err());
  }

  /** The config's entrypoint with {@code arg}, as the config's user, with only the config's environment. */
  private static Run inImage(String arg) throws Exception {
    JsonNode c = config.path("config");
    List<String> cmd = new ArrayList<>(List.of(CHROOT, "--userspec=" + c.path("User").asText(), rootfs.toString()));
    cmd.addAll(texts(c.path("Entrypoint")));
    cmd.add(arg);
    List<String> env = texts(c.path("Env"));
    return run(cmd, env);
  }

  private static Path blob(String digest) {
    return layout.resolve("blobs/sha256").resolve(digest.substring("sha256:".length()));
  }

  private static String sha256(Path file) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  private static void ok(Run r) {
    assertEquals(0, r.exit(), r.out() + r.err());
  }

  private static Run run(List<String> cmd) throws Exception {
    return run(cmd, null);
  }

  /** Runs {@code cmd}; with {@code env}, in exactly that environment (NAME=value entries) and nothing else. */
  private static Run run(List<String> cmd, List<String> env) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(cmd);
    if (env != null) {
      pb.environment().clear();
      for (String e : env) {
        pb.environment().put(e.substring(0, e.indexOf('=')), e.substring(e.indexOf('=') + 1));
      }
    }
    ProcessRun.Result r = ProcessRun.run(pb, null, Duration.ofSeconds(120));
    return new Run(r.exit(), r.out(), r.err());
  }
}
