package dev.weft.format;

import java.nio.file.Path;

/** A column's Arrow type cannot be stored in Weft; the message names the column and the type. */
public class UnsupportedTypeException extends WeftException {
  public UnsupportedTypeException(String message, Path file) {
    super(message, file);
  }
}
