package dev.weft.reader;

import dev.weft.format.CorruptFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * A read-only memory mapping of a whole file, in overlapping windows so that files over 2 GiB
 * work: window k maps {@code [k*W, k*W + 2W)}, so any range of at most W bytes lies inside the
 * window of its start. Larger ranges are read with a positional read. Thread-safe.
 */
final class MappedFile implements AutoCloseable {
  private static final long WINDOW = 1L << 29;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final MappedByteBuffer[] windows;

  MappedFile(Path path, FileChannel channel) throws IOException {
    this.path = path;
    this.channel = channel;
    this.size = channel.size();
    this.windows = new MappedByteBuffer[(int) Math.max(1, (size + WINDOW - 1) / WINDOW)];
  }

  long size() {
    return size;
  }

  /** A little-endian view (or copy, for huge ranges) of {@code [offset, offset+length)}. */
  ByteBuffer slice(long offset, long length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size || length > Integer.MAX_VALUE) {
      throw CorruptFileException.at(path, null, offset, "range of " + length
          + " bytes at " + offset + " lies outside the file of " + size + " bytes");
    }
    if (length == 0) {
      return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
    }
    if (length > WINDOW) {
      ByteBuffer copy = ByteBuffer.allocate((int) length);
      long pos = offset;
      while (copy.hasRemaining()) {
        int n = channel.read(copy, pos);
        if (n < 0) {
          throw CorruptFileException.at(path, null, pos, "file ended early");
        }
        pos += n;
      }
      return copy.flip().order(ByteOrder.LITTLE_ENDIAN);
    }
    int k = (int) (offset / WINDOW);
    MappedByteBuffer w = window(k);
    return w.slice((int) (offset - k * WINDOW), (int) length).order(ByteOrder.LITTLE_ENDIAN);
  }

  private MappedByteBuffer window(int k) throws IOException {
    MappedByteBuffer w = windows[k];
    if (w == null) {
      synchronized (this) {
        w = windows[k];
        if (w == null) {
          long start = k * WINDOW;
          w = channel.map(FileChannel.MapMode.READ_ONLY, start, Math.min(size - start, 2 * WINDOW));
          windows[k] = w;
        }
      }
    }
    return w;
  }

  @Override
  public void close() throws IOException {
    // Mappings are released by the garbage collector once no buffer refers to them, which
    // keeps zero-copy Arrow buffers handed out earlier valid.
    channel.close();
  }
}
