package dev.weft.cli.convert;

import dev.weft.writer.WeftWriter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The writers a conversion has open, so that Ctrl-C (SIGINT) or SIGTERM aborts them: a JVM
 * shutdown hook deletes their temporary files, and since a Weft file only gets its final name by
 * an atomic rename after it is complete, nothing partial is ever left under a final name. (After
 * kill -9 no hook runs: a hidden {@code .NAME.HEX.weft-tmp} file may stay behind, never a file
 * under the final name.)
 */
final class OpenWriters {
  private final Set<WeftWriter> open = new LinkedHashSet<>();
  private final Thread hook;
  private boolean shuttingDown;

  OpenWriters() {
    this.hook = new Thread(this::abortAll, "weft-convert-abort");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down
    }
  }

  /** Registers a writer; false (and the writer is aborted) if the JVM is already shutting down. */
  synchronized boolean add(WeftWriter w) {
    if (shuttingDown) {
      w.abort();
      return false;
    }
    open.add(w);
    return true;
  }

  synchronized void remove(WeftWriter w) {
    open.remove(w);
  }

  synchronized boolean shuttingDown() {
    return shuttingDown;
  }

  private void abortAll() {
    List<WeftWriter> ws;
    synchronized (this) {
      shuttingDown = true;
      ws = new ArrayList<>(open);
      open.clear();
    }
    for (WeftWriter w : ws) {
      try {
        w.abort();
      } catch (Throwable ignored) {
        // the temporary file is deleted before buffers are released; keep going
      }
    }
  }

  /** Removes the shutdown hook (when the conversion is over). */
  void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // shutting down: the hook runs anyway
    }
  }
}
