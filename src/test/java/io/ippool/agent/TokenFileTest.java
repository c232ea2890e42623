package io.ippool.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {
  @TempDir
  Path dir;

  @Test
  void rotatedToken_isReadOnTheNextUse_asTheKubeletSwapsIt() throws Exception {
    // The kubelet writes a new ..data directory and swaps the symlink the token path resolves through.
    Path v1 = Files.createDirectory(dir.resolve("v1"));
    Files.writeString(v1.resolve("token"), "first-token\n");
    Path data = Files.createSymbolicLink(dir.resolve("..data"), v1.getFileName());
    Path token = Files.createSymbolicLink(dir.resolve("token"), Path.of("..data/token"));
    TokenFile file = new TokenFile(token);
    assertEquals("first-token", file.token());

    Path v2 = Files.createDirectory(dir.resolve("v2"));
    Files.writeString(v2.resolve("token"), "second-token-longer\n");
    Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
    Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertEquals("second-token-longer", file.token());
  }

  @Test
  void sameSizeRewrite_isNoticedByItsModificationTime() throws Exception {
    Path token = dir.resolve("token");
    Files.writeString(token, "aaaa");
    Files.setLastModifiedTime(token, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));
    TokenFile file = new TokenFile(token);
    assertEquals("aaaa", file.token());
    Files.writeString(token, "bbbb");
    Files.setLastModifiedTime(token, FileTime.from(Instant.parse("2026-01-01T00:01:00Z")));
    assertEquals("bbbb", file.token());
  }

  @Test
  void missingOrEmptyFile_failsNamingIt() throws Exception {
    UncheckedIOException missing = assertThrows(UncheckedIOException.class,
        () -> new TokenFile(dir.resolve("none")).token());
    assertTrue(missing.getMessage().contains("none"), missing.getMessage());
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> new TokenFile(empty).token());
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
  }
}
