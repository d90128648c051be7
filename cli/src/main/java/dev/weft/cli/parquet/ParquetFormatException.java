package dev.weft.cli.parquet;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A Parquet file that cannot be converted: malformed, encrypted, or using something this reader
 * does not support. The message names the file and the reason, on one line.
 */
public class ParquetFormatException extends IOException {
  private final Path file;

  public ParquetFormatException(Path file, String reason) {
    super(file + ": " + oneLine(reason));
    this.file = file;
  }

  public ParquetFormatException(Path file, String reason, Throwable cause) {
    super(file + ": " + oneLine(reason), cause);
    this.file = file;
  }

  public Path file() {
    return file;
  }

  static String oneLine(String s) {
    if (s == null) {
      return "";
    }
    String t = s.replace('\r', ' ').replace('\n', ' ').strip();
    return t.length() > 500 ? t.substring(0, 497) + "..." : t;
  }

  /** The file is encrypted (Parquet modular encryption); decryption is not supported. */
  public static final class Encrypted extends ParquetFormatException {
    public Encrypted(Path file, String what) {
      super(file, "encrypted Parquet file (" + what + "); weft convert cannot decrypt Parquet files: "
          + "decrypt it first (for example with the tool that wrote it)");
    }
  }

  /** A page, value or batch needs more memory than the budget allows. */
  public static final class TooLarge extends ParquetFormatException {
    public TooLarge(Path file, String reason) {
      super(file, reason);
    }
  }
}
