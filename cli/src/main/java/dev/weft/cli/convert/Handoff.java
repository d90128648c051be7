package dev.weft.cli.convert;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Takes what a producer thread hands over through a queue, without waiting forever for a
 * producer that is gone: the reader thread of a conversion always puts a last item (the end or
 * its error), but a thread that dies in a way its own handler cannot report (an error while
 * reporting one, a class that can no longer be loaded because the jar was replaced under the
 * JVM) would otherwise leave the writer blocked on the queue for good.
 */
final class Handoff {
  /** How often a waiting consumer checks that the producer is still alive. */
  static final long CHECK_MILLIS = 500;

  private Handoff() {}

  /**
   * The next item of {@code queue}, waiting while {@code producer} lives.
   *
   * @throws IllegalStateException if the producer ended without handing over another item
   */
  static <T> T take(BlockingQueue<T> queue, Thread producer) throws InterruptedException {
    while (true) {
      T item = queue.poll(CHECK_MILLIS, TimeUnit.MILLISECONDS);
      if (item != null) {
        return item;
      }
      if (!producer.isAlive()) {
        item = queue.poll(); // its last item may have come just before it ended
        if (item != null) {
          return item;
        }
        throw new IllegalStateException("the " + producer.getName() + " thread stopped without a result"
            + " (an internal error: rerun with --debug, and report it if it persists)");
      }
    }
  }
}
