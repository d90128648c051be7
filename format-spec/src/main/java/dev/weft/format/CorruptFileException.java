package dev.weft.format;

import java.nio.file.Path;

/**
 * The file's bytes do not follow the format: a checksum mismatch, a truncated file, a length
 * or count out of range, or structure that contradicts itself. The message names the file,
 * the column (when one is involved) and the byte offset.
 */
public class CorruptFileException extends WeftException {
  public CorruptFileException(String message, Path file) {
    super(message, file);
  }

  public CorruptFileException(String message, Path file, Throwable cause) {
    super(message, file, cause);
  }

  /** Builds the standard message: "file: column 'c' at offset N: what". */
  public static CorruptFileException at(Path file, String column, long offset, String what) {
    StringBuilder sb = new StringBuilder("corrupt Weft file ").append(file);
    if (column != null) {
      sb.append(", column '").append(column).append('\'');
    }
    if (offset >= 0) {
      sb.append(", at offset ").append(offset);
    }
    sb.append(": ").append(what);
    return new CorruptFileException(sb.toString(), file);
  }
}
