package io.ippool.cni;

import java.io.Closeable;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * One time budget for the whole invocation (health check plus the call), so a hung server cannot
 * hold a pod's sandbox creation longer than {@code timeout_seconds}. Blocking socket channels
 * ignore SO_TIMEOUT, so the budget is enforced by closing the connection from a watchdog thread;
 * the blocked read then fails and {@link #expired()} tells the caller why.
 */
final class Deadline {
  private final long deadlineNanos;
  private final int seconds;
  private volatile boolean fired;

  Deadline(int seconds) {
    this.seconds = seconds;
    this.deadlineNanos = System.nanoTime() + seconds * 1_000_000_000L;
  }

  int seconds() {
    return seconds;
  }

  long remainingMillis() {
    return Math.max(0, (deadlineNanos - System.nanoTime()) / 1_000_000);
  }

  boolean expired() {
    return fired || System.nanoTime() - deadlineNanos >= 0;
  }

  /** Closes {@code c} when the deadline passes, unless the returned guard is closed first. */
  Guard guard(Closeable c) {
    Guard g = new Guard(c);
    g.thread.start();
    return g;
  }

  final class Guard implements AutoCloseable {
    private volatile boolean done;
    private final Thread thread;

    private Guard(Closeable c) {
      thread = new Thread(() -> {
        while (!done) {
          long left = deadlineNanos - System.nanoTime();
          if (left <= 0) {
            fired = true;
            try {
              c.close();
            } catch (IOException ignored) {
              // the blocked I/O fails either way
            }
            return;
          }
          LockSupport.parkNanos(this, left);
        }
      }, "ippool-cni-deadline");
      thread.setDaemon(true);
    }

    @Override
    public void close() {
      done = true;
      LockSupport.unpark(thread);
    }
  }
}
