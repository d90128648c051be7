package dev.weft.loader;

import org.apache.arrow.flight.FlightProducer.ServerStreamListener;

/**
 * Waits until a Flight client can take more data (gRPC's {@code isReady}), the server-side
 * backpressure of the socket transport.
 *
 * <p>Why not Arrow's {@code BackpressureStrategy.CallbackBackpressureStrategy}: measured here, it
 * often sleeps through the ready callback until its timeout, which cut loopback throughput from
 * ~350 MB/s to ~15 MB/s ({@code FlightCeilingBenchmark}). This waiter is woken by the same
 * callback but re-checks {@code isReady()} at least every millisecond, so a missed wake-up costs
 * at most that.
 */
final class ReadyWaiter {
  private static final long RECHECK_MS = 1;
  private final ServerStreamListener listener;
  private final Object lock = new Object();

  ReadyWaiter(ServerStreamListener listener) {
    this.listener = listener;
    Runnable wake = () -> {
      synchronized (lock) {
        lock.notifyAll();
      }
    };
    listener.setOnReadyHandler(wake);
    listener.setOnCancelHandler(wake);
  }

  /**
   * Waits up to {@code timeoutMs} for the client to be ready.
   *
   * @return true if ready; false if the call was cancelled or the time ran out (check
   *     {@code isCancelled()} to tell which)
   */
  boolean await(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    synchronized (lock) {
      while (true) {
        if (listener.isCancelled()) {
          return false;
        }
        if (listener.isReady()) {
          return true;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        lock.wait(Math.max(1, Math.min(RECHECK_MS, left / 1_000_000)));
      }
    }
  }
}
