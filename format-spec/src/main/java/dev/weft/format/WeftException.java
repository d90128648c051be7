package dev.weft.format;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Base of every error Weft reports about a file: each names the file and, where known,
 * the column and the byte offset involved.
 */
public class WeftException extends IOException {
  private final Path file;

  public WeftException(String message, Path file) {
    super(message);
    this.file = file;
  }

  public WeftException(String message, Path file, Throwable cause) {
    super(message, cause);
    this.file = file;
  }

  /** The file the error is about, or null when none is involved. */
  public Path file() {
    return file;
  }
}
