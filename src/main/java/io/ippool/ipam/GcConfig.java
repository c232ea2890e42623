package io.ippool.ipam;

import java.time.Duration;

/**
 * Garbage collection settings, named after Spiderpool's.
 *
 * @param enabled               collect at all
 * @param interval              period of the full sweep
 * @param additionalGraceDelay  waited beyond a terminating pod's grace period
 * @param statefulSet           StatefulSet pods keep their addresses while they are valid replicas
 * @param youngestCollectable   an allocation younger than this is never collected: the informer may not have
 *                              seen its pod yet
 * @param poolsPerBatch         pools swept per statement
 * @param eventDelay            how long pod events are gathered before they are acted on together
 */
public record GcConfig(boolean enabled, Duration interval, Duration additionalGraceDelay, boolean statefulSet,
                       Duration youngestCollectable, int poolsPerBatch, Duration eventDelay) {

  public static GcConfig defaults() {
    return new GcConfig(true, Duration.ofSeconds(600), Duration.ofSeconds(5), true, Duration.ofSeconds(30), 50,
        Duration.ofSeconds(1));
  }

  public GcConfig withYoungestCollectable(Duration d) {
    return new GcConfig(enabled, interval, additionalGraceDelay, statefulSet, d, poolsPerBatch, eventDelay);
  }
}
