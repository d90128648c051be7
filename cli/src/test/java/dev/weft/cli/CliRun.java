package dev.weft.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Runs the weft command line in-process and captures stdout, stderr and the exit code. */
public final class CliRun {
  private CliRun() {}

  /** The outcome of one run. */
  public record Result(int rc, byte[] stdoutBytes, String err) {
    public String out() {
      return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** Everything, for assertion messages. */
    public String all() {
      String o = out();
      return "exit code " + rc + "\n--- stdout ---\n" + (o.length() > 4000 ? o.substring(0, 4000) + "..." : o)
          + "\n--- stderr ---\n" + err;
    }
  }

  public static Result run(String... args) {
    return run(new ByteArrayOutputStream(), args);
  }

  /** Runs with stdout going to {@code out} (e.g. one that fails like a closed pipe). */
  public static Result run(OutputStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int rc = WeftCli.execute(out, err, args);
    byte[] bytes = out instanceof ByteArrayOutputStream b ? b.toByteArray() : new byte[0];
    return new Result(rc, bytes, err.toString(StandardCharsets.UTF_8));
  }

  /** A stdout whose reader goes away after {@code limit} bytes, as {@code | head -c N} does. */
  public static final class ClosingPipe extends OutputStream {
    private final int limit;
    private int written;

    public ClosingPipe(int limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (written + len > limit) {
        throw new IOException("Broken pipe");
      }
      written += len;
    }
  }
}
