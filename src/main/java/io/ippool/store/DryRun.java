package io.ippool.store;

/** Thrown inside a transaction to roll it back while still answering with the would-be result. */
final class DryRun extends RuntimeException {
  final WriteResult result;

  DryRun(WriteResult result) {
    super(null, null, false, false);
    this.result = result;
  }
}
