package dev.weft.cli.output;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Standard output for data: a plain byte stream (unlike {@code System.out}, a
 * {@link java.io.PrintStream}, it does not swallow write errors), which marks every write error
 * as a {@link WriteError}, so that the CLI can tell "the reader of the pipe went away" (exit
 * quietly) from an error reading the input file. Closing it only flushes.
 */
public final class StdoutStream extends OutputStream {
  private final OutputStream out;

  public StdoutStream(OutputStream out) {
    this.out = out;
  }

  /** An error writing the output (for example a broken pipe, or a full disk). */
  public static final class WriteError extends IOException {
    public WriteError(IOException cause) {
      super("cannot write to standard output: " + cause.getMessage(), cause);
    }

    /** Whether the reader of the pipe closed it ({@code weft cat x | head -1}). */
    public boolean isBrokenPipe() {
      String m = getCause().getMessage();
      return m != null && (m.contains("Broken pipe") || m.contains("Stream closed") || m.contains("EPIPE"));
    }
  }

  /** The {@link WriteError} in {@code t}'s causes, or null. */
  public static WriteError writeError(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof WriteError w) {
        return w;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (WriteError e) {
      throw e;
    } catch (IOException e) {
      throw new WriteError(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (WriteError e) {
      throw e;
    } catch (IOException e) {
      throw new WriteError(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (WriteError e) {
      throw e;
    } catch (IOException e) {
      throw new WriteError(e);
    }
  }

  @Override
  public void close() throws IOException {
    flush();
  }
}
