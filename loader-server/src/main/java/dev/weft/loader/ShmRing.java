package dev.weft.loader;

import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One shared-memory ring segment owned by this process (layout: {@link RingLayout}): a file named
 * {@code weft-<pid>-<random>.ring} in the shm directory, created with mode 0600, filled with zeros
 * at creation so that tmpfs pages are reserved up front (a full tmpfs fails here, with a clear
 * message, instead of with SIGBUS on a later write), held under an exclusive file lock for the
 * owner's lifetime, mapped slot by slot, and deleted by {@link #close()}.
 *
 * <p>Stale segments of servers that died without cleaning up are removed by
 * {@link #removeStale(Path)}: a segment is stale when the pid in its name is not a live process
 * and nobody holds its lock (the lock guards a live owner in another pid namespace that shares
 * the directory).
 */
final class ShmRing implements AutoCloseable {
  static final String PREFIX = "weft-";
  static final String SUFFIX = ".ring";
  private static final Pattern NAME = Pattern.compile("weft-(\\d+)-([0-9a-f]{8,32})\\.(ring|sock)");
  private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int ZERO_CHUNK = 1 << 20;

  private final Path file;
  private final int slotCount;
  private final long slotSize;
  private final FileChannel channel;
  private final FileLock lock;
  private final MappedByteBuffer header;
  private final MappedByteBuffer[] slots;
  private boolean closed;

  private ShmRing(Path file, int slotCount, long slotSize, FileChannel channel, FileLock lock,
      MappedByteBuffer header, MappedByteBuffer[] slots) {
    this.file = file;
    this.slotCount = slotCount;
    this.slotSize = slotSize;
    this.channel = channel;
    this.lock = lock;
    this.header = header;
    this.slots = slots;
  }

  /**
   * Creates a segment {@code <dir>/<baseName>.ring} of {@code slotCount} slots of {@code slotSize}
   * bytes ({@code baseName} from {@link #newBaseName()}).
   *
   * @throws IllegalArgumentException if the geometry is invalid ({@link RingLayout#segmentSize})
   * @throws IOException if {@code dir} is not a directory, or has too little free space (the
   *     message says how much is needed and what to change), or the file cannot be created
   */
  static ShmRing create(Path dir, String baseName, int slotCount, long slotSize) throws IOException {
    long size = RingLayout.segmentSize(slotCount, slotSize);
    if (!Files.isDirectory(dir)) {
      throw new NoSuchFileException(dir.toString(), null, "shared-memory directory does not exist");
    }
    checkCapacity(dir, size, slotCount, slotSize);
    long pid = ProcessHandle.current().pid();
    Path file = dir.resolve(baseName + SUFFIX);
    FileChannel ch = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
        StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    List<MappedByteBuffer> mapped = new ArrayList<>();
    try {
      FileLock lock = ch.tryLock();
      if (lock == null) {
        throw new IOException("cannot lock the new shared-memory segment " + file);
      }
      reserve(ch, size, file, slotCount, slotSize);
      MappedByteBuffer header = ch.map(FileChannel.MapMode.READ_WRITE, 0, RingLayout.HEADER_LENGTH);
      mapped.add(header);
      header.order(ByteOrder.LITTLE_ENDIAN);
      MappedByteBuffer[] slots = new MappedByteBuffer[slotCount];
      for (int i = 0; i < slotCount; i++) {
        slots[i] = ch.map(FileChannel.MapMode.READ_WRITE, RingLayout.slotOffset(i, slotSize), slotSize);
        slots[i].order(ByteOrder.LITTLE_ENDIAN);
        mapped.add(slots[i]);
      }
      header.put(RingLayout.MAGIC_OFFSET, RingLayout.MAGIC);
      header.putInt(RingLayout.VERSION_OFFSET, RingLayout.VERSION);
      header.putInt(RingLayout.HEADER_LENGTH_OFFSET, RingLayout.HEADER_LENGTH);
      header.putLong(RingLayout.OWNER_PID_OFFSET, pid);
      header.putLong(RingLayout.OWNER_START_OFFSET, ProcessHandle.current().info().startInstant()
          .map(java.time.Instant::toEpochMilli).orElse(0L));
      header.putInt(RingLayout.SLOT_COUNT_OFFSET, slotCount);
      header.putLong(RingLayout.SLOT_SIZE_OFFSET, slotSize);
      header.putLong(RingLayout.FIRST_SLOT_OFFSET_OFFSET, RingLayout.FIRST_SLOT_OFFSET);
      header.putLong(RingLayout.SLOT_HEADER_LENGTH_OFFSET, RingLayout.SLOT_HEADER_LENGTH);
      return new ShmRing(file, slotCount, slotSize, ch, lock, header, slots);
    } catch (IOException | RuntimeException | Error e) {
      for (MappedByteBuffer b : mapped) {
        unmap(b);
      }
      try {
        ch.close();
      } catch (IOException suppressed) {
        e.addSuppressed(suppressed);
      }
      Files.deleteIfExists(file);
      throw e;
    }
  }

  /** A job-unique base name for this process's files: {@code weft-<pid>-<16 random hex digits>}. */
  static String newBaseName() {
    byte[] rnd = new byte[8];
    new SecureRandom().nextBytes(rnd);
    return PREFIX + ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(rnd);
  }

  private static void checkCapacity(Path dir, long size, int slotCount, long slotSize) throws IOException {
    FileStore store = Files.getFileStore(dir);
    long usable = store.getUsableSpace();
    if (usable < size) {
      throw new IOException(capacityMessage(dir, size, usable, slotCount, slotSize));
    }
  }

  private static String capacityMessage(Path dir, long size, long usable, int slotCount, long slotSize) {
    return "the shared-memory ring needs " + mib(size) + " (" + slotCount + " slots x " + mib(slotSize)
        + ") but " + dir + " has only " + mib(usable) + " free; use fewer slots (--slots), smaller slots"
        + " (--slot-size), another directory (--shm-dir), or a larger /dev/shm (docker: --shm-size)";
  }

  private static String mib(long bytes) {
    return String.format("%.1f MiB", bytes / 1048576.0);
  }

  /** Writes zeros over the whole file, so tmpfs allocates its pages now. */
  private static void reserve(FileChannel ch, long size, Path file, int slotCount, long slotSize) throws IOException {
    ByteBuffer zeros = ByteBuffer.allocateDirect(ZERO_CHUNK);
    try {
      for (long pos = 0; pos < size; ) {
        zeros.clear().limit((int) Math.min(ZERO_CHUNK, size - pos));
        while (zeros.hasRemaining()) {
          pos += ch.write(zeros, pos);
        }
      }
    } catch (IOException e) {
      long usable = Files.getFileStore(file.getParent()).getUsableSpace();
      throw new IOException(capacityMessage(file.getParent(), size, usable, slotCount, slotSize)
          + " (writing the segment " + file + " failed: " + e.getMessage() + ")", e);
    } finally {
      unmap(zeros);
    }
  }

  /**
   * Removes the segments and socket files ({@code weft-<pid>-<hex>.ring|.sock}) of dead processes
   * from {@code dir}: the pid in the name is not alive, and nobody holds the segment's lock or
   * listens on the socket.
   *
   * @return the files removed
   */
  static List<Path> removeStale(Path dir) throws IOException {
    List<Path> removed = new ArrayList<>();
    if (!Files.isDirectory(dir)) {
      return removed;
    }
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PREFIX + "*")) {
      for (Path p : ds) {
        Matcher m = NAME.matcher(p.getFileName().toString());
        if (!m.matches()) {
          continue;
        }
        long pid;
        try {
          pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
          continue;
        }
        if (ProcessHandle.of(pid).isPresent()) {
          continue;
        }
        if (m.group(3).equals("ring") ? unlockedAndDeleted(p) : unansweredAndDeleted(p)) {
          removed.add(p);
        }
      }
    }
    return removed;
  }

  /** Deletes a socket file nobody listens on (a live server in another pid namespace answers). */
  private static boolean unansweredAndDeleted(Path p) {
    try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
        java.net.StandardProtocolFamily.UNIX)) {
      probe.connect(java.net.UnixDomainSocketAddress.of(p));
      return false; // someone listens
    } catch (IOException refused) {
      try {
        return Files.deleteIfExists(p);
      } catch (IOException e) {
        return false;
      }
    }
  }

  private static boolean unlockedAndDeleted(Path p) {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        return false; // locked by this JVM
      }
      if (l == null) {
        return false; // a live owner (e.g. in another pid namespace) holds it
      }
      try {
        return Files.deleteIfExists(p);
      } finally {
        l.release();
      }
    } catch (IOException e) {
      return false; // not ours to remove (permissions) or already gone
    }
  }

  /** The segment file. */
  Path file() {
    return file;
  }

  int slotCount() {
    return slotCount;
  }

  long slotSize() {
    return slotSize;
  }

  long fileSize() {
    return RingLayout.segmentSize(slotCount, slotSize);
  }

  /** Slot {@code i}'s mapped bytes (little-endian, position 0 = the slot header); do not modify its position. */
  ByteBuffer slot(int i) {
    return slots[i];
  }

  /** Stores an odd generation: slot {@code i} is being written. */
  void beginWrite(int i, long oddGeneration) {
    LONGS.setRelease(slots[i], RingLayout.GENERATION_OFFSET, oddGeneration);
  }

  /** Stores the slot header fields and then, with release semantics, the even generation. */
  void endWrite(int i, long evenGeneration, long messageLength, BatchTag tag, int rows, int streamId) {
    ByteBuffer s = slots[i];
    s.putLong(RingLayout.MESSAGE_LENGTH_OFFSET, messageLength);
    s.putLong(RingLayout.EPOCH_OFFSET, tag.epoch());
    s.putLong(RingLayout.BATCH_INDEX_OFFSET, tag.batchIndex());
    s.putLong(RingLayout.FIRST_POSITION_OFFSET, tag.firstPosition());
    s.putInt(RingLayout.ROW_COUNT_OFFSET, rows);
    s.putInt(RingLayout.STREAM_ID_OFFSET, streamId);
    LONGS.setRelease(s, RingLayout.GENERATION_OFFSET, evenGeneration);
  }

  /** Reads slot {@code i}'s generation with acquire semantics. */
  long generation(int i) {
    return (long) LONGS.getAcquire(slots[i], RingLayout.GENERATION_OFFSET);
  }

  /**
   * Unmaps the segment and deletes its file. The caller guarantees that nothing writes the slots
   * any more; if {@code unmap} is false the mappings are left to the garbage collector (used when
   * a writer may still be running).
   */
  void close(boolean unmap) throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Files.deleteIfExists(file);
    } finally {
      if (unmap) {
        unmap(header);
        for (MappedByteBuffer b : slots) {
          unmap(b);
        }
      }
      try {
        lock.release();
      } catch (IOException ignored) {
        // the channel closes below anyway
      }
      channel.close();
    }
  }

  @Override
  public void close() throws IOException {
    close(true);
  }

  // --- unmapping direct buffers (sun.misc.Unsafe.invokeCleaner, via reflection) ---

  private static final Object UNSAFE;
  private static final Method INVOKE_CLEANER;

  static {
    Object u = null;
    Method m = null;
    try {
      Class<?> c = Class.forName("sun.misc.Unsafe");
      Field f = c.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      u = f.get(null);
      m = c.getMethod("invokeCleaner", ByteBuffer.class);
    } catch (ReflectiveOperationException | RuntimeException e) {
      u = null;
      m = null;
    }
    UNSAFE = u;
    INVOKE_CLEANER = m;
  }

  /**
   * Unmaps (or frees) a direct buffer now instead of at garbage collection. The buffer must not be
   * used afterwards: access would crash the JVM. Does nothing if unmapping is not available.
   */
  static void unmap(ByteBuffer b) {
    if (b == null || !b.isDirect() || INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke(UNSAFE, b);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // a slice or duplicate (no cleaner of its own): leave it to the GC
    }
  }
}
