package dev.weft.cli.convert;

import dev.weft.cli.parquet.Sizes;
import java.io.PrintStream;
import java.text.DecimalFormat;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.atomic.AtomicLong;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Conversion progress: rows and Parquet bytes done, shared by all conversion threads. On a
 * terminal it drives a progress bar on stderr (rows, bytes, rate, ETA); otherwise it shows
 * nothing.
 */
class Progress implements AutoCloseable {
  final AtomicLong rows = new AtomicLong();
  final AtomicLong bytes = new AtomicLong();

  void start(long totalRows, long totalBytes) {}

  void refresh() {}

  @Override
  public void close() {}

  /** A progress bar on a terminal. */
  static Progress bar(PrintStream err) {
    return new Bar(err);
  }

  static Progress none() {
    return new Progress();
  }

  private static final class Bar extends Progress {
    private final PrintStream err;
    private ProgressBar bar;
    private long totalBytes;
    private Thread ticker;

    Bar(PrintStream err) {
      this.err = err;
    }

    @Override
    void start(long totalRows, long totalBytes) {
      this.totalBytes = totalBytes;
      bar = new ProgressBarBuilder()
          .setTaskName("convert")
          .setInitialMax(Math.max(1, totalRows))
          .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
          .setUnit(" rows", 1)
          .showSpeed(new DecimalFormat("#,##0"))
          .setSpeedUnit(ChronoUnit.SECONDS)
          .setUpdateIntervalMillis(200)
          .setMaxRenderedLength(120)
          .setConsumer(new ConsoleProgressBarConsumer(err))
          .build();
      ticker = new Thread(() -> {
        while (!Thread.currentThread().isInterrupted()) {
          refresh();
          try {
            Thread.sleep(200);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "weft-convert-progress");
      ticker.setDaemon(true);
      ticker.start();
    }

    @Override
    synchronized void refresh() {
      if (bar != null) {
        bar.stepTo(rows.get());
        bar.setExtraMessage(" | " + Sizes.human(bytes.get()) + " / " + Sizes.human(totalBytes) + " Parquet");
      }
    }

    @Override
    public synchronized void close() {
      if (ticker != null) {
        ticker.interrupt();
      }
      if (bar != null) {
        bar.stepTo(rows.get());
        bar.setExtraMessage(" | " + Sizes.human(bytes.get()) + " / " + Sizes.human(totalBytes) + " Parquet");
        bar.close();
        bar = null;
      }
    }
  }
}
