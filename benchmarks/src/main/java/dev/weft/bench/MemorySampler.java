package dev.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak anonymous resident memory (RssAnon of /proc/self/status: heap, direct buffers, native
 * allocations; not the page cache or memory-mapped file pages) of this process, sampled every
 * few milliseconds by a daemon thread. {@link #startPhase()} takes a baseline; {@link
 * #peakAboveBaselineBytes()} is the phase's peak minus that baseline. On systems without
 * /proc it reports -1.
 */
final class MemorySampler implements AutoCloseable {
  private static final Path STATUS = Path.of("/proc/self/status");
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long peak;
  private volatile long baseline;

  MemorySampler() {
    thread = new Thread(this::loop, "weft-bench-memory");
    thread.setDaemon(true);
    thread.start();
  }

  static long rssAnonBytes() {
    try {
      for (String line : Files.readAllLines(STATUS)) {
        if (line.startsWith("RssAnon:")) {
          String[] parts = line.substring(8).trim().split("\\s+");
          return Long.parseLong(parts[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private void loop() {
    while (running) {
      long v = rssAnonBytes();
      if (v > peak) {
        peak = v;
      }
      try {
        Thread.sleep(4);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  void startPhase() {
    System.gc();
    baseline = rssAnonBytes();
    peak = baseline;
  }

  long peakAboveBaselineBytes() {
    long now = rssAnonBytes();
    if (now > peak) {
      peak = now;
    }
    return baseline < 0 ? -1 : Math.max(0, peak - baseline);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
