package io.ippool;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the layering the README describes: the domain and value packages stay free of Vert.x and the SQL client,
 * and SQL statements live only in the store layer (and db/). Reads the sources, so a violation fails the build
 * with the file and line that caused it.
 */
class ArchitectureTest {
  private static final Path MAIN = Path.of("src/main/java/io/ippool");
  private static final List<String> FRAMEWORK_FREE = List.of("spiderpool", "iprange", "api");
  private static final Pattern FRAMEWORK_IMPORT = Pattern.compile("^import\\s+(static\\s+)?io\\.vertx\\.",
      Pattern.MULTILINE);
  /** A statement's opening words inside a string literal or text block. */
  private static final Pattern SQL = Pattern.compile(
      "\"(\"\"\\s*)?\\s*(SELECT\\s+[\\w*(]|INSERT\\s+INTO\\s|UPDATE\\s+\\w+\\s+SET\\s|DELETE\\s+FROM\\s)");
  private static final List<String> SQL_HOMES = List.of("store");

  @Test
  void domainAndValuePackagesImportNoFramework() {
    List<String> found = new ArrayList<>();
    for (String pkg : FRAMEWORK_FREE) {
      for (Path file : javaFiles(MAIN.resolve(pkg))) {
        Matcher m = FRAMEWORK_IMPORT.matcher(read(file));
        while (m.find()) {
          found.add(where(file, m.start()));
        }
      }
    }
    assertEquals(List.of(), found, "Vert.x or SQL client imported by " + FRAMEWORK_FREE);
  }

  @Test
  void sqlTextOnlyInTheStoreLayer() {
    List<String> found = new ArrayList<>();
    for (Path file : javaFiles(MAIN)) {
      String top = MAIN.relativize(file).getName(0).toString();
      if (SQL_HOMES.contains(top)) {
        continue;
      }
      Matcher m = SQL.matcher(read(file));
      while (m.find()) {
        found.add(where(file, m.start()));
      }
    }
    assertEquals(List.of(), found, "SQL statements outside " + SQL_HOMES + " and db/");
  }

  @Test
  void theCheckRecognisesAStatement() {
    assertEquals(true, SQL.matcher("String q = \"SELECT body FROM resources\";").find());
    assertEquals(true, SQL.matcher("String q = \"\"\"\n      DELETE FROM ipam_pools\"\"\";").find());
    assertEquals(false, SQL.matcher("log(\"select a pool\")").find());
    assertEquals(true, FRAMEWORK_IMPORT.matcher("import io.vertx.sqlclient.Pool;").find());
  }

  private static List<Path> javaFiles(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String where(Path file, int offset) {
    String text = read(file);
    int line = 1;
    for (int i = 0; i < offset; i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return MAIN.relativize(file) + ":" + line;
  }
}
