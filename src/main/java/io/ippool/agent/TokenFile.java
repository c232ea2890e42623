package io.ippool.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;

/**
 * A bearer token kept in a file, as the kubelet keeps a projected ServiceAccount token: it rewrites the file
 * (through an atomic symlink swap) well before the token expires. The file is stat-ed on every use and read
 * again only when its modification time or size changed, so a rotated token is used from the next request on.
 */
public final class TokenFile {
  private final Path path;
  private FileTime seenModified;
  private long seenSize = -1;
  private String token;

  public TokenFile(Path path) {
    this.path = path;
  }

  public Path path() {
    return path;
  }

  /** The current token; fails when the file is missing or empty (a pod without the projected volume). */
  public synchronized String token() {
    try {
      BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
      if (token == null || !a.lastModifiedTime().equals(seenModified) || a.size() != seenSize) {
        String t = Files.readString(path).trim();
        if (t.isEmpty()) {
          throw new IOException("token file " + path + " is empty");
        }
        token = t;
        seenModified = a.lastModifiedTime();
        seenSize = a.size();
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the service account token " + path + ": " + e.getMessage(), e);
    }
  }
}
