package dev.weft.cli;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;

/** Turns exceptions into the one-line messages the CLI prints. */
public final class ErrorMessages {
  private ErrorMessages() {}

  /** A one-line description naming the file and the reason, without a stack trace. */
  public static String describe(Throwable e) {
    Throwable t = e;
    if (t instanceof java.io.UncheckedIOException && t.getCause() != null) {
      t = t.getCause();
    }
    String msg;
    if (t instanceof NoSuchFileException n) {
      msg = n.getFile() + ": no such file or directory";
    } else if (t instanceof FileAlreadyExistsException f) {
      msg = f.getFile() + ": already exists" + (f.getReason() == null ? " (use --overwrite to replace it)" : " (" + f.getReason() + ")");
    } else if (t instanceof AccessDeniedException a) {
      msg = a.getFile() + ": permission denied";
    } else if (t instanceof OutOfMemoryError) {
      msg = "out of memory (" + t.getMessage() + "); lower --memory-budget or raise the JVM heap (-Xmx)";
    } else {
      msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
    return msg.replace('\n', ' ');
  }
}
