package io.ippool.cli;

import io.ippool.importer.ClusterSource;
import io.ippool.importer.Fabric8ClusterSource;
import io.ippool.importer.ImportReport;
import io.ippool.importer.Importer;
import io.ippool.schema.Crds;
import io.ippool.server.ServedKinds;
import io.ippool.schema.KindSpec;
import io.ippool.store.Database;
import io.ippool.store.DatabaseUrl;
import io.ippool.store.EmbeddedDatabase;
import io.ippool.store.Migrations;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * `import`: copies the group's objects from a cluster's CRDs into our PostgreSQL (apiservice/README.md,
 * "Migrating from Spiderpool's CRDs"). Exit 0 when nothing failed, 1 otherwise, 2 for bad flags.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = "Copy every spiderpool.spidernet.io/v2beta1 object from a cluster's CRDs into PostgreSQL "
        + "(validated, with SpiderIPPool allocations). Re-running skips what exists. "
        + "Exit 0: nothing failed; 1: some object failed (see the summary); 2: bad flags.")
public final class ImportCommand implements Callable<Integer> {

  @Spec
  CommandSpec spec;

  @Option(names = "--kubeconfig", paramLabel = "FILE", required = true,
      description = "kubeconfig of the cluster that still serves Spiderpool's CRDs.")
  Path kubeconfig;

  @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:IPPOOL_DATA_DIR:-./data}",
      description = "Without --database-url: import into the embedded PostgreSQL of this data directory "
          + "(the server must not be running on it). Env IPPOOL_DATA_DIR. Default: ${DEFAULT-VALUE}")
  Path dataDir;

  @Option(names = "--database-url", paramLabel = "URL", defaultValue = "${env:IPPOOL_DATABASE_URL}",
      description = "postgresql://user:password@host:port/db to import into (a running server may use it). "
          + "Env IPPOOL_DATABASE_URL.")
  String databaseUrl;

  @Option(names = "--dry-run", description = "Check every object and allocation against what the database holds "
      + "now; write nothing. (Objects are not checked against each other, e.g. two overlapping pools.)")
  boolean dryRun;

  @Option(names = "--update", description = "Overwrite objects that already exist (labels, annotations, "
      + "finalizers, ownerReferences, spec, status) instead of skipping them.")
  boolean update;

  @Option(names = "--kinds", paramLabel = "KIND", split = ",",
      description = "Only these kinds (plural, singular, kind or short name, e.g. sp,sr,spidersubnets). "
          + "Default: all six.")
  List<String> kinds;

  @Option(names = "--progress-every", paramLabel = "N", defaultValue = "100",
      description = "A progress line on stderr every N objects (0: none). Default: ${DEFAULT-VALUE}")
  int progressEvery;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Set<String> selected = selectedKinds();
    if (progressEvery < 0) {
      throw new ParameterException(spec.commandLine(), "--progress-every must not be negative");
    }
    if (!Files.isReadable(kubeconfig)) {
      throw new ParameterException(spec.commandLine(), "cannot read --kubeconfig " + kubeconfig);
    }
    EmbeddedDatabase embedded = null;
    Vertx vertx = null;
    Pool pool = null;
    try (ClusterSource source = Fabric8ClusterSource.fromKubeconfig(kubeconfig)) {
      source.checkServedByCrds();
      DatabaseUrl url;
      if (databaseUrl != null && !databaseUrl.isBlank()) {
        url = DatabaseUrl.parse(databaseUrl);
      } else {
        embedded = startEmbedded(err);
        if (embedded == null) {
          return 1;
        }
        url = embedded.url();
      }
      Migrations.migrate(url);
      vertx = Vertx.vertx();
      pool = Database.pool(vertx, url, 2);
      err.println("importing from " + source.describe() + " into " + (embedded != null
          ? "the embedded PostgreSQL of " + dataDir : url.redacted()) + (dryRun ? " (dry run: nothing is written)" : ""));
      Importer importer = new Importer(pool, ServedKinds.store(pool),
          ServedKinds.all(ServedKinds.spiderpoolAdmissions()), err);
      ImportReport report = importer.run(source, new Importer.Options(selected, dryRun, update, progressEvery));
      report.print(out, dryRun);
      return report.ok() ? 0 : 1;
    } catch (ParameterException e) {
      throw e;
    } catch (Exception e) {
      err.println("ippool-apiserver import: " + DatabaseUrl.redact(rootMessage(e)));
      return 1;
    } finally {
      if (pool != null) {
        pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      if (embedded != null) {
        embedded.close();
      }
      out.flush();
      err.flush();
    }
  }

  /** Plurals of the selected kinds, in import order; any of a kind's names is accepted. */
  private Set<String> selectedKinds() {
    Set<String> out = new LinkedHashSet<>();
    if (kinds == null || kinds.isEmpty()) {
      out.addAll(Importer.ORDER);
      return out;
    }
    for (String k : kinds) {
      String want = k.trim().toLowerCase(Locale.ROOT);
      if (want.isEmpty()) {
        continue;
      }
      KindSpec match = Crds.all().stream().filter(s -> s.kind().plural().equals(want)
          || s.kind().singular().equals(want) || s.kind().kind().toLowerCase(Locale.ROOT).equals(want)
          || s.kind().shortNames().contains(want)
          || s.kind().groupResource().equals(want)).findFirst().orElse(null);
      if (match == null) {
        throw new ParameterException(spec.commandLine(), "--kinds: unknown kind \"" + k + "\"; expected one of "
            + String.join(", ", Importer.ORDER));
      }
      out.add(match.kind().plural());
    }
    if (out.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--kinds: no kind given");
    }
    return out;
  }

  /**
   * The data directory's embedded PostgreSQL, started for the import. A server running on the same data
   * directory holds it (postmaster.pid), and two postmasters on one data directory must never run: say so
   * rather than pass on PostgreSQL's lock error.
   */
  private EmbeddedDatabase startEmbedded(PrintWriter err) {
    Path pgData = dataDir.resolve("postgres");
    Long runningPid = postmasterPid(pgData);
    if (runningPid != null) {
      err.println("ippool-apiserver import: the embedded PostgreSQL of " + dataDir + " is in use (process "
          + runningPid + ", probably `ippool-apiserver serve`). Stop the server and re-run the import, or give "
          + "--database-url of a PostgreSQL the server uses.");
      return null;
    }
    try {
      Files.createDirectories(dataDir);
      return EmbeddedDatabase.start(pgData);
    } catch (Exception e) {
      err.println("ippool-apiserver import: cannot start the embedded PostgreSQL of " + dataDir + ": "
          + rootMessage(e) + ". Is a server running on this data directory? Stop it, or give --database-url.");
      return null;
    }
  }

  /** The pid in DIR/postmaster.pid when that process is alive, else null (a stale file after a crash). */
  private static Long postmasterPid(Path pgData) {
    Path pidFile = pgData.resolve("postmaster.pid");
    try {
      String first = Files.readAllLines(pidFile).get(0).trim();
      long pid = Long.parseLong(first);
      return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : null;
    } catch (Exception e) {
      return null;
    }
  }

  private static String rootMessage(Throwable t) {
    Throwable root = t;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage() != null ? root.getMessage() : root);
  }
}
