package dev.weft.writer;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.FileChannel;

/**
 * Writes a file's finished row groups to disk while the writer encodes the next ones: an
 * {@code fdatasync} on a background thread after each row group, so that the fsync that
 * {@link WeftWriter#close()} must wait for before the rename has only the last row group and the
 * metadata left to write (flights-3m: 11 MiB in three row groups). At most one runs at a time;
 * a failure is kept and thrown by {@link #await()}, since the kernel reports a write-back error
 * to one fsync only and the final fsync could then succeed.
 */
final class EarlySync {
  private final FileChannel channel;
  private final String name;
  private Thread running;
  private volatile IOException failure;

  EarlySync(FileChannel channel, String name) {
    this.channel = channel;
    this.name = name;
  }

  /**
   * Starts writing everything written to the channel so far to disk, unless the previous sync
   * still runs (the next one, or the final fsync, covers what it misses).
   */
  void start() {
    if (running != null && running.isAlive()) {
      return;
    }
    running = new Thread(() -> {
      try {
        channel.force(false);
      } catch (IOException e) {
        failure = e; // the channel closed by an abort lands here too; await is not called then
      }
    }, "weft-sync:" + name);
    running.setDaemon(true);
    running.start();
  }

  /** Waits for the running sync, if any, and throws the failure of any sync so far. */
  void await() throws IOException {
    if (running != null) {
      try {
        running.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while writing " + name + " to disk");
      }
      running = null;
    }
    IOException e = failure;
    if (e != null) {
      throw new IOException("cannot write " + name + " to disk: " + e.getMessage(), e);
    }
  }
}
