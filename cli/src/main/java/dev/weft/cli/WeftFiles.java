package dev.weft.cli;

import dev.weft.reader.WeftReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Opens Weft files for the CLI with clear one-line errors for the common mistakes: a missing
 * path, a directory, an empty file, a Parquet or Arrow file given where a Weft file is expected,
 * a file that is not Weft at all. Everything else (truncated or corrupt files) is reported by
 * the reader, whose messages name the file, the column and the offset.
 */
public final class WeftFiles {
  private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};
  private static final byte[] ARROW_FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};
  private static final byte[] WEFT_MAGIC = {'W', 'E', 'F', 'T'};

  private WeftFiles() {}

  /** A bad input the user can fix; its message names the file. */
  public static final class BadInputException extends IOException {
    public BadInputException(String message) {
      super(message);
    }
  }

  /** Opens {@code path} (the reader owns a private allocator when {@code allocator} is null). */
  public static WeftReader open(Path path, BufferAllocator allocator) throws IOException {
    check(path);
    return WeftReader.open(path, allocator);
  }

  /** Whether {@code path} is a regular file that starts with the Weft magic bytes (false on any error). */
  public static boolean isWeft(Path path) {
    if (!Files.isRegularFile(path)) {
      return false;
    }
    byte[] head = new byte[WEFT_MAGIC.length];
    try (InputStream in = Files.newInputStream(path)) {
      return startsWith(head, in.readNBytes(head, 0, head.length), WEFT_MAGIC);
    } catch (IOException e) {
      return false;
    }
  }

  /** Checks that {@code path} is a readable regular file that looks like a Weft file. */
  public static void check(Path path) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    if (Files.isDirectory(path)) {
      throw new BadInputException(path + ": is a directory, not a Weft file");
    }
    if (!Files.isRegularFile(path)) {
      throw new BadInputException(path + ": not a regular file (Weft files are read with random access)");
    }
    if (!Files.isReadable(path)) {
      throw new AccessDeniedException(path.toString());
    }
    long size = Files.size(path);
    if (size == 0) {
      throw new BadInputException(path + ": empty file, not a Weft file");
    }
    byte[] head = new byte[8];
    int n;
    try (InputStream in = Files.newInputStream(path)) {
      n = in.readNBytes(head, 0, head.length);
    }
    if (startsWith(head, n, WEFT_MAGIC)) {
      return;
    }
    if (startsWith(head, n, PARQUET_MAGIC)) {
      throw new BadInputException(path + ": is a Parquet file, not a Weft file (convert it first: weft convert "
          + path + " -o OUT.weft)");
    }
    if (startsWith(head, n, ARROW_FILE_MAGIC)) {
      throw new BadInputException(path + ": is an Arrow IPC file, not a Weft file");
    }
    throw new BadInputException(path + ": not a Weft file (it does not start with the WEFT magic bytes)");
  }

  private static boolean startsWith(byte[] b, int n, byte[] magic) {
    if (n < magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if (b[i] != magic[i]) {
        return false;
      }
    }
    return true;
  }
}
