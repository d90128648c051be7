package dev.weft.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** Turns exceptions into the one-line messages the CLI prints. */
public final class ErrorMessages {
  private ErrorMessages() {}

  /** A one-line description naming the file and the reason, without a stack trace. */
  public static String describe(Throwable e) {
    Throwable t = unwrap(e);
    String msg;
    if (t instanceof NoSuchFileException n) {
      msg = n.getFile() + ": no such file or directory";
    } else if (t instanceof FileAlreadyExistsException f) {
      msg = f.getFile() + ": already exists" + (f.getReason() == null ? " (use --overwrite to replace it)" : " (" + f.getReason() + ")");
    } else if (t instanceof AccessDeniedException a) {
      msg = a.getFile() + ": permission denied";
    } else if (t instanceof NotDirectoryException n) {
      msg = n.getFile() + ": not a directory";
    } else if (t instanceof FileSystemException f && f.getFile() != null && f.getReason() != null
        && (f.getMessage() == null || !f.getMessage().contains(f.getFile()))) {
      msg = f.getFile() + ": " + f.getReason();
    } else if (t instanceof OutOfMemoryError) {
      msg = "out of memory (" + t.getMessage() + "); raise the JVM heap (e.g. WEFT_JAVA_OPTS=-Xmx8g)"
          + " or lower --memory-budget where the command has one";
    } else if (t instanceof StackOverflowError) {
      msg = "stack overflow (nesting too deep?); raise the thread stack size (-Xss, e.g. WEFT_JAVA_OPTS=-Xss64m)";
    } else {
      msg = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    }
    return oneLine(msg);
  }

  /** The exception that says what went wrong, without wrappers that only repeat it. */
  static Throwable unwrap(Throwable e) {
    Throwable t = e;
    for (int i = 0; i < 10 && t.getCause() != null && t.getCause() != t; i++) {
      boolean wrapper = t instanceof UncheckedIOException
          || t instanceof picocli.CommandLine.ExecutionException
          || t instanceof java.util.concurrent.ExecutionException
          || t instanceof java.util.concurrent.CompletionException
          || t.getMessage() == null
          || t.getMessage().equals(t.getCause().toString())
          || t.getMessage().equals(t.getCause().getMessage());
      if (!wrapper) {
        break;
      }
      t = t.getCause();
    }
    return t;
  }

  /** {@code s} on one line. */
  public static String oneLine(String s) {
    return s.strip().replaceAll("\\s*\\R\\s*", " ");
  }
}
