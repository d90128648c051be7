package dev.weft.reader;

import dev.weft.format.CorruptFileException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * The bytes of a file, read one of two ways ({@link ReaderOptions#memoryMap}):
 *
 * <ul>
 *   <li><b>mapped</b> (default): a read-only memory mapping of the whole file, in overlapping
 *       windows so that files over 2 GiB work: window k maps {@code [k*W, k*W + 2W)}, so any
 *       range of at most W bytes lies inside the window of its start. Larger ranges are read with
 *       a positional read. Ranges are views of the mapping (zero copy); but every page touched
 *       stays counted in the process's resident memory (RssFile) while the mapping lives, so a
 *       long-running process that reads a large dataset at random grows with the dataset;
 *   <li><b>positional reads</b> ({@code pread}): every range is read into a heap buffer of its
 *       own (in pieces of at most {@value #READ_CHUNK} bytes, so the JDK's per-thread temporary
 *       direct buffers stay that small); nothing is mapped, the file's pages live in the OS page
 *       cache only, and what the reader keeps is what its caches hold (their budgets count these
 *       buffers). The loader server reads this way.
 * </ul>
 *
 * Thread-safe.
 */
final class MappedFile implements AutoCloseable {
  private static final long WINDOW = 1L << 29;
  /** Largest single positional read (bounds the JDK's cached temporary direct buffer per thread). */
  static final int READ_CHUNK = 1 << 20;

  private final Path path;
  private final FileChannel channel;
  private final long size;
  private final MappedByteBuffer[] windows;

  MappedFile(Path path, FileChannel channel) throws IOException {
    this(path, channel, true);
  }

  /** @param map whether to memory-map the file (else every range is a positional read) */
  MappedFile(Path path, FileChannel channel, boolean map) throws IOException {
    this.path = path;
    this.channel = channel;
    this.size = channel.size();
    this.windows = map ? new MappedByteBuffer[(int) Math.max(1, (size + WINDOW - 1) / WINDOW)] : null;
  }

  long size() {
    return size;
  }

  /** Whether ranges are views of a memory mapping (else heap copies made by positional reads). */
  boolean mapped() {
    return windows != null;
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
    if (windows == null || length > WINDOW) {
      return read(offset, (int) length);
    }
    int k = (int) (offset / WINDOW);
    MappedByteBuffer w = window(k);
    return w.slice((int) (offset - k * WINDOW), (int) length).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Largest range {@link #scratchSlice} reads into the thread's reused direct buffer. */
  static final int SCRATCH_MAX = 4 << 20;

  private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

  /**
   * As {@link #slice}, for bytes the caller consumes at once (e.g. decompresses) and does not keep:
   * read with positional reads, a range of at most {@link #SCRATCH_MAX} bytes lands in a direct
   * buffer the calling thread reuses (no allocation, no copy into the heap, and decompressors read
   * it directly), valid only until that thread's next call. Mapped, it is {@link #slice}.
   */
  ByteBuffer scratchSlice(long offset, long length) throws IOException {
    if (windows != null || length > SCRATCH_MAX || length <= 0 || offset < 0 || offset + length > size) {
      return slice(offset, length);
    }
    ByteBuffer[] holder = SCRATCH.get();
    ByteBuffer b = holder[0];
    if (b == null || b.capacity() < length) {
      int need = (int) Math.max(length, 64 << 10);
      int cap = Integer.bitCount(need) == 1 ? need : Integer.highestOneBit(need) << 1; // next power of two
      b = ByteBuffer.allocateDirect(Math.min(SCRATCH_MAX, cap));
      holder[0] = b;
    }
    b.clear().limit((int) length);
    long pos = offset;
    while (b.hasRemaining()) {
      int n = channel.read(b, pos);
      if (n < 0) {
        throw CorruptFileException.at(path, null, pos, "file ended early");
      }
      pos += n;
    }
    return b.flip().slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Reads {@code [offset, offset+length)} to native memory at {@code address} (valid for it). */
  void readInto(long offset, long address, int length) throws IOException {
    if (offset < 0 || length < 0 || offset + length > size) {
      throw CorruptFileException.at(path, null, offset, "range of " + length
          + " bytes at " + offset + " lies outside the file of " + size + " bytes");
    }
    ByteBuffer dst = org.apache.arrow.memory.util.MemoryUtil.directBuffer(address, length);
    long pos = offset;
    while (dst.hasRemaining()) {
      int n = channel.read(dst, pos);
      if (n < 0) {
        throw CorruptFileException.at(path, null, pos, "file ended early");
      }
      pos += n;
    }
  }

  /** A heap copy of {@code [offset, offset+length)}, by positional reads of at most {@link #READ_CHUNK}. */
  private ByteBuffer read(long offset, int length) throws IOException {
    ByteBuffer copy = ByteBuffer.allocate(length);
    long pos = offset;
    while (copy.hasRemaining()) {
      int end = copy.position() + Math.min(copy.remaining(), READ_CHUNK);
      int n = channel.read(copy.limit(end), pos);
      copy.limit(length);
      if (n < 0) {
        throw CorruptFileException.at(path, null, pos, "file ended early");
      }
      pos += n;
    }
    return copy.flip().order(ByteOrder.LITTLE_ENDIAN);
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
