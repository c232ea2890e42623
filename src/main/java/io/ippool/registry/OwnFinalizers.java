package io.ippool.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The finalizers a kind's own controller would remove, removed by the server in the write's transaction instead
 * (there is no controller process). Runs on every update and delete, after validation.
 */
@FunctionalInterface
public interface OwnFinalizers {
  /** Removes from {@code obj} the finalizers whose work is done; leaves the others. */
  void release(ObjectNode obj);

  OwnFinalizers NONE = obj -> { };
}
