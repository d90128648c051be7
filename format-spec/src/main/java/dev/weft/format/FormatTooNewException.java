package dev.weft.format;

import java.nio.file.Path;

/** The file was written by a newer, incompatible format version than this reader supports. */
public class FormatTooNewException extends WeftException {
  public FormatTooNewException(String message, Path file) {
    super(message, file);
  }
}
