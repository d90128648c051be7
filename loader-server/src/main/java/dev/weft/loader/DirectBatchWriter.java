package dev.weft.loader;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes a batch of rows of fixed-width columns as one encapsulated Arrow IPC record-batch
 * message straight into memory (a ring slot), gathering each value from {@link DecodedColumns}
 * into its place in the message body: no Arrow vectors, no second copy. The message is what
 * {@code MessageSerializer} writes for the same rows (continuation marker, metadata length,
 * flatbuffer metadata padded to 8 bytes, body of 8-byte aligned buffers), except that a
 * validity buffer is empty (length 0, allowed by the Arrow format when the null count is 0) for a
 * column without nulls in the batch, and every validity buffer has its room reserved in the
 * body, so the message's length is a function of the row count alone (the metadata is written
 * with all scalars present, so its length does not depend on the values).
 *
 * <p>Made by {@link #create} only for a projection whose columns are all {@link
 * DecodedColumns#supported} and whose decoded values fit the cache's budget (otherwise random
 * batches would miss the cache all the time, and the reader's {@code take} is the better path).
 * Immutable apart from a cache of the last row count's metadata; thread-safe.
 */
final class DirectBatchWriter {
  private final WeftDataset dataset;
  private final DecodedColumns cache;
  private final DecodedColumns.Column[] columns;
  private final Schema schema;
  /** Field nodes per batch: one per column, two for a fixed-size list. */
  private final int numNodes;
  /** Buffers per batch: two per primitive column, three for a fixed-size list. */
  private final int numBuffers;
  private volatile Layout last;

  /** The positions of a batch of {@code n} rows in the message, and its metadata without nulls. */
  private record Layout(int n, int metaPadded, long bodyLength, long[] validityAt, long[] childValidityAt,
      long[] valuesAt, byte[] noNullMeta) {}

  private DirectBatchWriter(WeftDataset dataset, DecodedColumns cache, DecodedColumns.Column[] columns, Schema schema) {
    this.dataset = dataset;
    this.cache = cache;
    this.columns = columns;
    this.schema = schema;
    int nodes = 0;
    int buffers = 0;
    for (DecodedColumns.Column c : columns) {
      nodes += c.isList() ? 2 : 1;
      buffers += c.isList() ? 3 : 2;
    }
    this.numNodes = nodes;
    this.numBuffers = buffers;
  }

  /**
   * A writer of {@code schema}'s columns (a projection of the dataset's), or null if a column is
   * not fixed-width or the columns' decoded values do not fit the cache.
   */
  static DirectBatchWriter create(WeftDataset dataset, DecodedColumns cache, Schema schema) {
    if (cache == null || cache.capacityBytes() == 0 || schema.getFields().isEmpty()) {
      return null;
    }
    DecodedColumns.Column[] cols = new DecodedColumns.Column[schema.getFields().size()];
    long total = 0;
    for (int k = 0; k < cols.length; k++) {
      Field f = schema.getFields().get(k);
      if (!DecodedColumns.supported(f)) {
        return null;
      }
      cols[k] = cache.column(f.getName());
      total += cols[k].totalBytes();
    }
    return total <= cache.capacityBytes() ? new DirectBatchWriter(dataset, cache, cols, schema) : null;
  }

  /** The schema of the batches. */
  Schema schema() {
    return schema;
  }

  /** Reads every chunk of every column of this writer into the cache (one scan per chunk for all). */
  void preload() throws IOException {
    for (int f = 0; f < dataset.numFiles(); f++) {
      for (long row = 0; row < dataset.fileRows(f); row += cache.chunkRows) {
        for (DecodedColumns.Column c : columns) {
          c.chunk(f, row, columns);
        }
      }
    }
  }

  /** Bytes of the message of a batch of {@code n} rows. */
  long messageLength(int n) {
    Layout l = layout(n);
    return l.metaPadded + l.bodyLength;
  }

  private static long pad8(long x) {
    return (x + 7) & ~7L;
  }

  private Layout layout(int n) {
    Layout l = last;
    if (l != null && l.n == n) {
      return l;
    }
    long[] validityAt = new long[columns.length];
    long[] childValidityAt = new long[columns.length];
    long[] valuesAt = new long[columns.length];
    long at = 0;
    for (int k = 0; k < columns.length; k++) {
      DecodedColumns.Column c = columns[k];
      validityAt[k] = at;
      at += pad8((n + 7) / 8);
      if (c.isList()) {
        childValidityAt[k] = at;
        at += pad8(((long) n * c.listSize + 7) / 8);
      }
      valuesAt[k] = at;
      at += pad8((long) n * c.width);
    }
    long[] zeros = new long[columns.length];
    ByteBuffer meta = metadata(n, at, validityAt, childValidityAt, valuesAt, zeros, zeros);
    byte[] bytes = new byte[meta.remaining()];
    meta.get(bytes);
    l = new Layout(n, (int) pad8(8L + bytes.length), at, validityAt, childValidityAt, valuesAt, bytes);
    last = l;
    return l;
  }

  /** The flatbuffer Message of a record batch with these null counts (all scalars written). */
  private ByteBuffer metadata(int n, long bodyLength, long[] validityAt, long[] childValidityAt, long[] valuesAt,
      long[] nulls, long[] childNulls) {
    FlatBufferBuilder b = new FlatBufferBuilder(64 + 16 * (numNodes + numBuffers) + 64);
    b.forceDefaults(true);
    // vectors of structs are built back to front
    RecordBatch.startNodesVector(b, numNodes);
    for (int k = columns.length - 1; k >= 0; k--) {
      DecodedColumns.Column c = columns[k];
      if (c.isList()) {
        FieldNode.createFieldNode(b, (long) n * c.listSize, childNulls[k]);
      }
      FieldNode.createFieldNode(b, n, nulls[k]);
    }
    int nodes = b.endVector();
    RecordBatch.startBuffersVector(b, numBuffers);
    for (int k = columns.length - 1; k >= 0; k--) {
      DecodedColumns.Column c = columns[k];
      Buffer.createBuffer(b, valuesAt[k], (long) n * c.width);
      if (c.isList()) {
        Buffer.createBuffer(b, childValidityAt[k], childNulls[k] > 0 ? ((long) n * c.listSize + 7) / 8 : 0);
      }
      Buffer.createBuffer(b, validityAt[k], nulls[k] > 0 ? (n + 7) / 8 : 0);
    }
    int buffers = b.endVector();
    RecordBatch.startRecordBatch(b);
    RecordBatch.addLength(b, n);
    RecordBatch.addNodes(b, nodes);
    RecordBatch.addBuffers(b, buffers);
    int rb = RecordBatch.endRecordBatch(b);
    return MessageSerializer.serializeMessage(b, MessageHeader.RecordBatch, rb, bodyLength, IpcOption.DEFAULT);
  }

  /**
   * Writes the message of the rows with the given global ids, in that order (repeats allowed),
   * at {@code address}.
   *
   * @param capacity bytes writable at {@code address}
   * @return the message length ({@link #messageLength})
   * @throws IndexOutOfBoundsException if an id is not a row of the dataset
   * @throws IllegalArgumentException if the message does not fit {@code capacity}
   * @throws IOException if reading a chunk of the files fails
   */
  long write(long[] globalRowIds, long address, long capacity) throws IOException {
    int n = globalRowIds.length;
    Layout l = layout(n);
    long length = l.metaPadded + l.bodyLength;
    if (length > capacity) {
      throw new IllegalArgumentException("a message of " + length + " bytes does not fit " + capacity + " bytes");
    }
    Rows r = rows(globalRowIds);
    long body = address + l.metaPadded;
    long[] nulls = null;
    long[] childNulls = null;
    long[] bits = new long[(n + 63) >>> 6];
    for (int k = 0; k < columns.length; k++) {
      DecodedColumns.Column c = columns[k];
      long dst = body + l.valuesAt[k];
      boolean anyBitmap = gather(c, r, dst, columns);
      long valueBytes = (long) n * c.width;
      MemoryUtil.setMemory(dst + valueBytes, pad8(valueBytes) - valueBytes, (byte) 0);
      if (anyBitmap) {
        long z = validity(c, r.files, r.rows, n, bits, body + l.validityAt[k]);
        if (z > 0) {
          nulls = nulls != null ? nulls : new long[columns.length];
          nulls[k] = z;
        }
        if (c.isList()) {
          long cz = childValidity(c, r.files, r.rows, n, body + l.childValidityAt[k]);
          if (cz > 0) {
            childNulls = childNulls != null ? childNulls : new long[columns.length];
            childNulls[k] = cz;
          }
        }
      }
    }
    byte[] metaBytes;
    if (nulls == null && childNulls == null) {
      metaBytes = l.noNullMeta;
    } else {
      long[] zeros = new long[columns.length];
      ByteBuffer meta = metadata(n, l.bodyLength, l.validityAt, l.childValidityAt, l.valuesAt,
          nulls == null ? zeros : nulls, childNulls == null ? zeros : childNulls);
      metaBytes = new byte[meta.remaining()];
      meta.get(metaBytes);
      if (metaBytes.length != l.noNullMeta.length) {
        throw new IllegalStateException("record batch metadata of " + metaBytes.length + " bytes, expected "
            + l.noNullMeta.length + " (bug)");
      }
    }
    MemoryUtil.putInt(address, MessageSerializer.IPC_CONTINUATION_TOKEN);
    MemoryUtil.putInt(address + 4, l.metaPadded - 8);
    MemoryUtil.copyToMemory(metaBytes, 0, address + 8, metaBytes.length);
    MemoryUtil.setMemory(address + 8 + metaBytes.length, l.metaPadded - 8 - metaBytes.length, (byte) 0);
    return length;
  }

  /**
   * A batch's rows sorted once (not per column) and grouped by chunk: {@code pos[j]} is the output
   * position and {@code off[j]} the row within its chunk of the j-th smallest id; group g covers
   * {@code [start[g], start[g + 1])}, rows of chunk {@code chunk[g]} of file {@code file[g]}, the
   * largest offset {@code maxOff[g]}. Also, per output position, the file and local row
   * ({@code files}, {@code rows}) for the (rare) validity pass.
   */
  private record Rows(int n, int groups, int[] pos, int[] off, int[] start, int[] file, int[] chunk, int[] maxOff,
      boolean[] contiguous, int[] files, long[] rows) {}

  private Rows rows(long[] globalRowIds) {
    int n = globalRowIds.length;
    long numRows = dataset.numRows();
    int shift = cache.chunkShift;
    long mask = cache.chunkMask;
    // sort (id, position) pairs packed in one long when they fit: 20 bits of position
    boolean packed = n <= (1 << 20) && numRows <= (1L << 43);
    long[] keys = new long[n];
    for (int i = 0; i < n; i++) {
      long id = globalRowIds[i];
      if (id < 0 || id >= numRows) {
        throw new IndexOutOfBoundsException("global row id " + id + " is out of range [0, " + numRows + ") of "
            + dataset);
      }
      keys[i] = packed ? (id << 20) | i : id;
    }
    if (packed) {
      java.util.Arrays.sort(keys);
    }
    int[] pos = new int[n];
    int[] off = new int[n];
    int[] start = new int[n + 1];
    int[] file = new int[n];
    int[] chunk = new int[n];
    int[] maxOff = new int[n];
    boolean[] contiguous = new boolean[n];
    int[] files = new int[n];
    long[] rows = new long[n];
    int groups = 0;
    int f = -1;
    long fileStart = 0;
    long fileEnd = -1;
    for (int j = 0; j < n; j++) {
      long id = packed ? keys[j] >>> 20 : keys[j];
      int p = packed ? (int) (keys[j] & 0xFFFFF) : j;
      if (id < fileStart || id >= fileEnd) {
        f = dataset.fileOf(id);
        fileStart = dataset.firstRow(f);
        fileEnd = fileStart + dataset.fileRows(f);
      }
      long local = id - fileStart;
      int c = (int) (local >>> shift);
      int o = (int) (local & mask);
      if (groups == 0 || file[groups - 1] != f || chunk[groups - 1] != c) {
        start[groups] = j;
        file[groups] = f;
        chunk[groups] = c;
        contiguous[groups] = true;
        groups++;
      } else if (o != off[j - 1] + 1 || p != pos[j - 1] + 1) {
        contiguous[groups - 1] = false;
      }
      maxOff[groups - 1] = Math.max(maxOff[groups - 1], o);
      pos[j] = p;
      off[j] = o;
      files[p] = f;
      rows[p] = local;
    }
    start[groups] = n;
    return new Rows(n, groups, pos, off, start, file, chunk, maxOff, contiguous, files, rows);
  }

  /**
   * Copies each row's value to {@code dst + pos * width}, a chunk lookup per group of rows, then
   * one copy where the group's rows are consecutive and go to consecutive positions, else a loop whose loads depend only on scratch arrays (so many cache misses are in flight at
   * once); returns whether a chunk involved has a validity bitmap (row or child).
   */
  private boolean gather(DecodedColumns.Column c, Rows r, long dst, DecodedColumns.Column[] group)
      throws IOException {
    boolean bitmaps = false;
    int w = c.width;
    int[] pos = r.pos;
    int[] off = r.off;
    for (int g = 0; g < r.groups; g++) {
      DecodedColumns.Chunk ch = c.chunk(r.file[g], (long) r.chunk[g] << cache.chunkShift, group);
      bitmaps |= ch.validity != null || ch.childValidity != null;
      byte[] v = ch.values;
      // every offset of the group lies within the chunk: checked once, then read unchecked
      java.util.Objects.checkFromIndexSize((long) r.maxOff[g] * w, w, v.length);
      int from = r.start[g];
      int to = r.start[g + 1];
      if (r.contiguous[g] && to - from > 1) {
        // consecutive rows to consecutive positions (no shuffle, or a shuffled block): one copy
        MemoryUtil.copyToMemory(v, (long) w * off[from], dst + (long) w * pos[from], (long) w * (to - from));
        continue;
      }
      switch (w) {
        case 1 -> {
          for (int j = from; j < to; j++) {
            MemoryUtil.putByte(dst + pos[j], v[off[j]]);
          }
        }
        case 2 -> {
          for (int j = from; j < to; j++) {
            int o = 2 * off[j];
            MemoryUtil.putShort(dst + 2L * pos[j], (short) ((v[o] & 0xFF) | (v[o + 1] << 8)));
          }
        }
        case 4 -> {
          for (int j = from; j < to; j++) {
            MemoryUtil.putInt(dst + 4L * pos[j], MemoryUtil.getInt(v, 4 * off[j]));
          }
        }
        case 8 -> {
          for (int j = from; j < to; j++) {
            MemoryUtil.putLong(dst + 8L * pos[j], MemoryUtil.getLong(v, 8 * off[j]));
          }
        }
        default -> {
          for (int j = from; j < to; j++) {
            MemoryUtil.copyToMemory(v, (long) w * off[j], dst + (long) w * pos[j], w);
          }
        }
      }
    }
    return bitmaps;
  }

  /** Writes the rows' validity bitmap to {@code dst} if some row is null; returns the null count. */
  private long validity(DecodedColumns.Column c, int[] files, long[] rows, int n, long[] bits, long dst)
      throws IOException {
    java.util.Arrays.fill(bits, 0);
    long nulls = 0;
    for (int i = 0; i < n; i++) {
      DecodedColumns.Chunk ch = c.chunk(files[i], rows[i]);
      int r = (int) (rows[i] & cache.chunkMask);
      if (ch.validity == null || (ch.validity[r >>> 3] & (1 << (r & 7))) != 0) {
        bits[i >>> 6] |= 1L << i;
      } else {
        nulls++;
      }
    }
    if (nulls > 0) {
      writeBits(bits, n, dst);
    }
    return nulls;
  }

  /** Writes a fixed-size list's child validity to {@code dst} if some value is null; returns the null count. */
  private long childValidity(DecodedColumns.Column c, int[] files, long[] rows, int n, long dst)
      throws IOException {
    int ls = c.listSize;
    long total = (long) n * ls;
    long[] bits = new long[(int) ((total + 63) >>> 6)];
    long nulls = 0;
    for (int i = 0; i < n; i++) {
      DecodedColumns.Chunk ch = c.chunk(files[i], rows[i]);
      long src = (rows[i] & cache.chunkMask) * ls;
      long out = (long) i * ls;
      for (int j = 0; j < ls; j++) {
        long s = src + j;
        if (ch.childValidity == null || (ch.childValidity[(int) (s >>> 3)] & (1 << (s & 7))) != 0) {
          bits[(int) ((out + j) >>> 6)] |= 1L << (out + j);
        } else {
          nulls++;
        }
      }
    }
    if (nulls > 0) {
      writeBits(bits, total, dst);
    }
    return nulls;
  }

  private static void writeBits(long[] bits, long count, long dst) {
    long bytes = (count + 7) / 8;
    for (long b = 0; b < pad8(bytes); b++) {
      int word = (int) (b >>> 3);
      byte v = word < bits.length ? (byte) (bits[word] >>> (8 * (b & 7))) : 0;
      MemoryUtil.putByte(dst + b, b < bytes ? v : 0);
    }
  }

  /**
   * The rows as a {@link VectorSchemaRoot} allocated from {@code allocator} (for transports that
   * need vectors): the message is written into one buffer and loaded, so its buffers are views of
   * it.
   */
  VectorSchemaRoot assemble(long[] globalRowIds, BufferAllocator allocator) throws IOException {
    int n = globalRowIds.length;
    Layout l = layout(n);
    long length = l.metaPadded + l.bodyLength;
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try (ArrowBuf buf = allocator.buffer(length); ArrowRecordBatch arb = recordBatch(globalRowIds, buf)) {
      new VectorLoader(root).load(arb);
      return root;
    } catch (IOException | RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  /**
   * Writes the batch of these rows as a message into {@code buf} (at least
   * {@link #messageLength}{@code (ids.length)} bytes, e.g. a buffer reused from batch to batch) and
   * returns it as a record batch whose buffers are slices of {@code buf} (the caller closes it;
   * {@code buf} must outlive it).
   */
  ArrowRecordBatch recordBatch(long[] globalRowIds, ArrowBuf buf) throws IOException {
    Layout l = layout(globalRowIds.length);
    long length = l.metaPadded + l.bodyLength;
    if (buf.capacity() < length) {
      throw new IllegalArgumentException("buffer of " + buf.capacity() + " bytes for a message of " + length);
    }
    write(globalRowIds, buf.memoryAddress(), length);
    ByteBuffer meta = buf.nioBuffer(8, l.metaPadded - 8).order(ByteOrder.LITTLE_ENDIAN);
    Message msg = Message.getRootAsMessage(meta);
    ArrowBuf body = buf.slice(l.metaPadded, l.bodyLength);
    body.getReferenceManager().retain(); // released by deserializeRecordBatch
    try {
      return MessageSerializer.deserializeRecordBatch(msg, body);
    } catch (IOException | RuntimeException e) {
      body.getReferenceManager().release();
      throw e;
    }
  }
}
