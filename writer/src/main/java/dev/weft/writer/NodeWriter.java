package dev.weft.writer;

import dev.weft.format.Bits;
import dev.weft.format.ColumnNode;
import dev.weft.format.MiniBlock;
import dev.weft.format.NodeKind;
import dev.weft.format.WeftFormat;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;

/**
 * Accumulates one node's values into mini-blocks. A block only ever starts at a top-level row
 * boundary and closes before it would exceed the mini-block byte or value limit (a single row
 * larger than the limit gets a block of its own). Sealed blocks wait in the arena until the
 * row group is written.
 */
final class NodeWriter implements AutoCloseable {
  final ColumnNode node;
  /** Raw blocks must stay below 2 GiB (Java arrays and the reader's raw-length bound). */
  private static final long MAX_BLOCK_DATA = Integer.MAX_VALUE - (1L << 20);

  /** A node's rows averaging at least this many bytes are "wide". */
  static final long WIDE_ROW_BYTES = 1024;
  /**
   * Blocks of a node whose values are stored as shared dictionary codes (format 4.0) may have a
   * plain layout this many times the byte limit (their stored codes are a fraction of it).
   */
  static final int CODED_BLOCK_FACTOR = 4;

  /**
   * FIXED values at least this wide (images, hashes; not integer widths) but in rows narrower than
   * {@link #WIDE_ROW_BYTES} may have blocks {@link #WIDE_VALUE_BLOCK_FACTOR} times the byte limit.
   */
  static final int WIDE_VALUE_BYTES = 256;
  /**
   * The block-size factor for {@link #WIDE_VALUE_BYTES} values: with 16 KiB blocks a block holds
   * only ~20 such values and a scan pays a codec frame per block (Fashion-MNIST: ~3,000 zstd frames,
   * its decompression most of the scan's time); 64 KiB blocks scan ~15% faster and store ~1% less,
   * while a single-value take decompresses 64 KiB instead of 16 KiB (tens of microseconds).
   */
  static final int WIDE_VALUE_BLOCK_FACTOR = 4;

  /** Blocks of wide rows close at this size (or hold a single row). */
  static final long WIDE_BLOCK_BYTES = 4096;

  private final int maxBytes;
  private final int maxValues;
  /** FIXED values of at least {@link #WIDE_VALUE_BYTES}: blocks up to {@link #WIDE_VALUE_BLOCK_FACTOR} times the limit. */
  private final boolean wideValues;
  private final GrowBuf validity;
  private final GrowBuf offsets;
  private final GrowBuf values;

  private int pendingRows;
  private int pendingCount;
  private long pendingNulls;
  /** Var-width: value bytes held; list: child elements held. */
  private long pendingData;

  private long rowsSealed;
  private long elementsSealed;
  private long childElementsSealed;

  /**
   * The pending elements' value ids (see {@link ValueIds}; -1: none), kept only for a node with a
   * shared dictionary, in the scope of the block's first rows ({@code idScope}, null: no ids).
   */
  private int[] pendingIds;
  private Object idScope;
  private int idScopeSize;
  /**
   * The scope's entries while the pending block's values are given by id ({@link ValueIds#byId})
   * and not copied (null otherwise): its offsets and values buffers then have their sizes (and
   * capacities) but not their bytes, which are written from the pending ids where needed ({@link
   * #materializePending}, or into the raw block when the sealer asks for them). A block stored
   * as shared dictionary codes never needs them.
   */
  private byte[] byIdBytes;
  private int[] byIdStarts;

  private final List<SealedBlock> sealed = new ArrayList<>();
  /** Sealed blocks [0, committed) are in the row group's arena, the rest in a lane's staging arena. */
  private int committed;
  /** How this node's recent blocks were best stored (selection by sampling). */
  private final BlockChoice choice = new BlockChoice();
  /** The node's shared dictionary for the current row group, or null. */
  private final ChunkDictionary dictionary;

  /** The node's shared dictionary for the current row group (null if it has none). */
  ChunkDictionary chunkDictionary() {
    return dictionary;
  }

  /**
   * @param maxBytes mini-block byte limit (the writer lowers it for very wide schemas so that
   *     every node's pending block fits the memory budget at once)
   */
  NodeWriter(ColumnNode node, BufferAllocator allocator, int maxBytes, int maxValues) {
    this(node, allocator, maxBytes, maxValues, 0);
  }

  /**
   * @param dictionaryBytes raw entry bytes the node's shared dictionary per row group may hold
   *     (format 4.0, {@link ChunkDictionary}); 0 for none
   */
  NodeWriter(ColumnNode node, BufferAllocator allocator, int maxBytes, int maxValues, long dictionaryBytes) {
    this.node = node;
    this.dictionary = dictionaryBytes > 0 && ChunkDictionary.applies(node) ? new ChunkDictionary(node, dictionaryBytes)
        : null;
    this.maxBytes = maxBytes;
    this.maxValues = maxValues;
    this.wideValues = node.kind() == NodeKind.FIXED && node.byteWidth() >= WIDE_VALUE_BYTES;
    this.validity = new GrowBuf(allocator, 8);
    this.offsets = new GrowBuf(allocator, node.kind().hasOffsets() ? 64 : 8);
    this.values = new GrowBuf(allocator, 64);
    startBlock();
  }

  /**
   * Bytes held by this node's pending-block buffers. (Not the pending value ids: the writer's
   * decisions, and so its bytes, must not depend on whether a source gave ids.)
   */
  long heldBytes() {
    return validity.capacity() + offsets.capacity() + values.capacity()
        + (dictionary == null ? 0 : dictionary.heldBytes());
  }

  boolean hasPending() {
    return pendingRows > 0;
  }

  List<SealedBlock> sealedBlocks() {
    return sealed;
  }

  void clearSealed() {
    sealed.clear();
    committed = 0;
  }

  /**
   * Copies the blocks sealed since the last commit from the lane's staging arena into the row
   * group's arena, in order (called on the writer's thread, node by node in schema order).
   */
  void commit(BlockArena arena) {
    for (int i = committed; i < sealed.size(); i++) {
      SealedBlock b = sealed.get(i);
      BlockArena.Slice s = b.stored();
      sealed.set(i, new SealedBlock(b.firstRow(), b.numRows(), b.firstElement(), b.numElements(),
          arena.append(s.buf(), s.offset(), s.length()), b.rawLength(), b.crc(), b.flags()));
    }
    committed = sealed.size();
  }

  /** Gives back pending-block memory beyond a minimum (only when no rows are pending). */
  void shrink() {
    if (pendingRows == 0) {
      validity.reset(0);
      offsets.reset(0);
      values.reset(0);
      startBlock();
    }
  }

  private void startBlock() {
    idScope = null;
    byIdBytes = null;
    byIdStarts = null;
    pendingRows = 0;
    pendingCount = 0;
    pendingNulls = 0;
    pendingData = 0;
    validity.reset(maxBytes / 8 + 8);
    offsets.reset(maxBytes + 8);
    values.reset(maxBytes + 8);
    if (node.kind().hasOffsets()) {
      offsets.appendInt(0);
    }
  }

  /** Raw size of a block of {@code count} elements holding {@code data} value bytes. */
  private long rawSize(long count, long data) {
    long prefix = MiniBlock.prefixLength(node.kind(), count, true);
    return switch (node.kind()) {
      case FIXED -> prefix + count * node.byteWidth();
      case BOOL -> prefix + MiniBlock.bitmapBytes(count);
      case VARBINARY, LARGE_VARBINARY -> prefix + data;
      default -> prefix;
    };
  }

  /** Raw bytes rows [a, b) of the batch add to any block, used to size chunks. */
  static long rowBytes(NodeBatch nb, int a, int b) {
    long ea = nb.elems(a);
    long eb = nb.elems(b);
    long n = eb - ea;
    return switch (nb.node.kind()) {
      case FIXED -> n * nb.node.byteWidth() + n / 8;
      case BOOL -> n / 4;
      case VARBINARY, LARGE_VARBINARY -> nb.offset(eb) - nb.offset(ea) + n * 4 + n / 8;
      case LIST, LARGE_LIST -> n * 4 + n / 8;
      default -> n / 8;
    };
  }

  private boolean fits(NodeBatch nb, int a, int b) {
    long ea = nb.elems(a);
    long eb = nb.elems(b);
    long count = pendingCount + (eb - ea);
    if (count > maxValues) {
      return false;
    }
    long data = pendingData;
    if (node.kind() == NodeKind.VARBINARY || node.kind() == NodeKind.LARGE_VARBINARY) {
      data += nb.offset(eb) - nb.offset(ea);
    }
    long bytes = rawSize(count, data);
    long rows = pendingRows + (b - a);
    // Wide rows (embeddings, blobs) get small blocks, so that reading one row reads little more
    // than the row itself; narrow rows share blocks up to the full limit.
    long limit = bytes >= WIDE_ROW_BYTES * rows ? Math.min(maxBytes, WIDE_BLOCK_BYTES)
        // blocks stored as shared dictionary codes store far less than their plain layout: let them
        // hold more values (up to the value limit), so each block's codec pass has more to work with
        : dictionary != null && dictionary.active() && dictionary.used() ? (long) maxBytes * CODED_BLOCK_FACTOR
        // wide FIXED values (images): fewer, larger codec frames for scans
        : wideValues ? (long) maxBytes * WIDE_VALUE_BLOCK_FACTOR : maxBytes;
    return bytes <= limit;
  }

  /** Largest k in [0, limit] such that rows [r, r+k) fit into the pending block. */
  private int rowsThatFit(NodeBatch nb, int r, int limit) {
    if (limit == 0 || !fits(nb, r, r + 1)) {
      return 0;
    }
    int lo = 1;
    int step = 1;
    while (lo < limit) {
      int probe = (int) Math.min(limit, (long) lo + step);
      if (!fits(nb, r, r + probe)) {
        int hi = probe - 1;
        while (lo < hi) {
          int mid = (lo + hi + 1) >>> 1;
          if (fits(nb, r, r + mid)) {
            lo = mid;
          } else {
            hi = mid - 1;
          }
        }
        return lo;
      }
      lo = probe;
      step *= 2;
    }
    return lo;
  }

  /** Appends batch rows [r0, r1), sealing blocks as they fill. */
  void append(NodeBatch nb, int r0, int r1, EncodeLane lane) {
    int r = r0;
    while (r < r1) {
      int k = rowsThatFit(nb, r, r1 - r);
      boolean oversize = false;
      if (k == 0) {
        if (pendingRows > 0) {
          seal(lane);
          continue;
        }
        k = 1;
        oversize = true;
      }
      copy(nb, r, r + k);
      r += k;
      if (oversize) {
        seal(lane);
      }
    }
  }

  private void copy(NodeBatch nb, int a, int b) {
    long ea = nb.elems(a);
    long eb = nb.elems(b);
    long n = eb - ea;
    if (n > Integer.MAX_VALUE - pendingCount) {
      throw new IllegalArgumentException("column node " + node.path() + ": a row holds " + n
          + " values, more than a mini-block can address");
    }
    NodeKind kind = node.kind();
    if (kind != NodeKind.NULL && n > 0) {
      long bitsNeeded = MiniBlock.bitmapBytes(pendingCount + n);
      validity.ensure(bitsNeeded - validity.size());
      validity.setSize(bitsNeeded);
      if (nb.allValid) {
        setOnes(validity, pendingCount, n);
      } else {
        Bits.copy(nb.vector.getValidityBuffer(), ea, validity.buf(), pendingCount, n);
        pendingNulls += n - Bits.countSet(nb.vector.getValidityBuffer(), ea, n);
      }
    }
    switch (kind) {
      case FIXED -> values.appendBytes(nb.vector.getDataBuffer(), ea * node.byteWidth(), n * node.byteWidth());
      case BOOL -> {
        long bytes = MiniBlock.bitmapBytes(pendingCount + n);
        values.ensure(bytes - values.size());
        values.setSize(bytes);
        Bits.copy(nb.vector.getDataBuffer(), ea, values.buf(), pendingCount, n);
      }
      case VARBINARY, LARGE_VARBINARY -> {
        long base = nb.offset(ea);
        long end = nb.offset(eb);
        if (pendingData + (end - base) > MAX_BLOCK_DATA) {
          throw new IllegalArgumentException("column node " + node.path() + ": a row holds "
              + (end - base) + " bytes, more than a mini-block can hold (2 GiB)");
        }
        ValueIds v = nb.ids();
        boolean byId = v != null && v.byId();
        if (byIdBytes != null && !(byId && v.scope() == idScope)) {
          materializePending(); // rows of another scope, or with their bytes: copy the block's so far
        }
        if (byId && dictionary != null && (pendingCount == 0 || byIdBytes != null)) {
          // sizes only, grown as the copies below would grow them (heldBytes, and so the file, stay the same)
          if (n > 0) {
            offsets.reserve(4 * n);
            offsets.grow(4 * n);
          }
          values.reserve(end - base);
          values.grow(end - base);
          byIdBytes = v.valueBytes();
          byIdStarts = v.valueStarts();
        } else if (byId) {
          nb.appendRebasedOffsets(ea, eb, pendingData, offsets);
          values.reserve(end - base);
          long wrote = ValuesById.write(v.ids(), (int) ea, (int) n, v.valueBytes(), v.valueStarts(), 0, 0,
              values.buf().memoryAddress() + values.size());
          checkById(wrote, end - base);
          values.grow(end - base);
        } else {
          nb.appendRebasedOffsets(ea, eb, pendingData, offsets);
          values.appendBytes(nb.vector.getDataBuffer(), base, end - base);
        }
        pendingData += end - base;
      }
      case LIST, LARGE_LIST -> {
        long base = nb.offset(ea);
        long end = nb.offset(eb);
        if (pendingData + (end - base) > MAX_BLOCK_DATA) {
          throw new IllegalArgumentException("column node " + node.path() + ": a row holds "
              + (end - base) + " list items, more than a mini-block can address");
        }
        nb.appendRebasedOffsets(ea, eb, pendingData, offsets);
        pendingData += end - base;
      }
      default -> {
        // STRUCT, FIXED_SIZE_LIST: validity only; NULL: nothing
      }
    }
    if (dictionary != null) {
      copyIds(nb, ea, (int) n);
    }
    pendingCount += (int) n;
    pendingRows += b - a;
  }

  /**
   * Appends the ids of elements {@code [ea, ea + n)} to the pending ones: those of the block's
   * scope; -1 for rows of another scope or without ids.
   */
  private void copyIds(NodeBatch nb, long ea, int n) {
    ValueIds v = nb.ids();
    if (v == null && idScope == null) {
      return;
    }
    if (pendingCount == 0 && v != null) {
      idScope = v.scope();
      idScopeSize = v.scopeSize();
    }
    if (pendingIds == null || pendingIds.length < pendingCount + n) {
      int[] grown = new int[Math.max(pendingCount + n, pendingIds == null ? 1024 : pendingIds.length * 2)];
      if (pendingIds != null) {
        System.arraycopy(pendingIds, 0, grown, 0, pendingCount);
      } else {
        java.util.Arrays.fill(grown, 0, pendingCount, -1);
      }
      pendingIds = grown;
    }
    if (v != null && v.scope() == idScope) {
      System.arraycopy(v.ids(), (int) ea, pendingIds, pendingCount, n);
    } else {
      java.util.Arrays.fill(pendingIds, pendingCount, pendingCount + n, -1);
    }
  }

  /**
   * Writes the pending block's offsets and values, given by id so far, from the pending ids (the
   * buffers have their sizes already); the block then holds its bytes like any other.
   */
  private void materializePending() {
    long wrote = ValuesById.write(pendingIds, 0, pendingCount, byIdBytes, byIdStarts, 0,
        offsets.buf().memoryAddress() + 4, values.buf().memoryAddress());
    checkById(wrote, pendingData);
    byIdBytes = null;
    byIdStarts = null;
  }

  /**
   * Writes a raw block's offsets (but the first) and values from its elements' value ids, when
   * the sealer asks (a named class, not a lambda: a fresh JVM's first lambda of a shape costs a
   * bootstrap in the interpreter).
   */
  private final class Fill implements Runnable {
    private final int[] ids;
    private final int count;
    private final byte[] bytes;
    private final int[] starts;
    private final long data;
    private final long offAddr;
    private final long valAddr;

    Fill(int[] ids, int count, byte[] bytes, int[] starts, long data, long offAddr, long valAddr) {
      this.ids = ids;
      this.count = count;
      this.bytes = bytes;
      this.starts = starts;
      this.data = data;
      this.offAddr = offAddr;
      this.valAddr = valAddr;
    }

    @Override
    public void run() {
      checkById(ValuesById.write(ids, 0, count, bytes, starts, 0, offAddr, valAddr), data);
    }
  }

  /** Fails where a source's entries disagree with its vector's offsets (see {@link ValueIds}). */
  private void checkById(long wrote, long expected) {
    if (wrote != expected) {
      throw new IllegalArgumentException("column node " + node.path() + ": values given by id hold " + wrote
          + " bytes where the vector's offsets say " + expected);
    }
  }

  private static void setOnes(GrowBuf buf, long fromBit, long count) {
    long i = 0;
    while (i < count && ((fromBit + i) & 7) != 0) {
      Bits.set(buf.buf(), fromBit + i, true);
      i++;
    }
    long whole = (count - i) >>> 3;
    if (whole > 0) {
      buf.buf().setOne((fromBit + i) >>> 3, whole);
      i += whole << 3;
    }
    while (i < count) {
      Bits.set(buf.buf(), fromBit + i, true);
      i++;
    }
  }

  /** Seals the pending block, if any rows are pending, into the lane's staging arena. */
  void seal(EncodeLane lane) {
    if (pendingRows == 0) {
      return;
    }
    GrowBuf raw = lane.raw;
    NodeKind kind = node.kind();
    boolean hasValidity = pendingNulls > 0;
    raw.setSize(0);
    raw.ensure(rawSize(pendingCount, pendingData) + 16); // zeroed: alignment padding is not written
    long pos = 0;
    if (hasValidity) {
      long bytes = MiniBlock.bitmapBytes(pendingCount);
      raw.buf().setBytes(0, validity.buf(), 0, bytes);
      // clear bits past the last element so the block is deterministic
      for (long bit = pendingCount; bit < bytes * 8; bit++) {
        Bits.set(raw.buf(), bit, false);
      }
      pos = WeftFormat.align(bytes);
    }
    if (kind.isVariableList()) {
      raw.buf().setLong(pos, childElementsSealed);
      pos += 8;
    }
    final boolean byId = byIdBytes != null;
    long offsetsAt = pos;
    if (kind.hasOffsets()) {
      long len = 4L * (pendingCount + 1);
      if (byId) {
        // the first and last offsets only (the block's layout); the rest with the values, if asked
        raw.buf().setInt(pos, 0);
        raw.buf().setInt(pos + 4L * pendingCount, (int) pendingData);
      } else {
        raw.buf().setBytes(pos, offsets.buf(), 0, len);
      }
      pos += len;
      if (!kind.isVariableList()) {
        pos = WeftFormat.align(pos);
      }
    }
    long valuesAt = pos;
    switch (kind) {
      case FIXED, VARBINARY, LARGE_VARBINARY -> {
        if (!byId) {
          raw.buf().setBytes(pos, values.buf(), 0, values.size());
        }
        pos += values.size();
      }
      case BOOL -> {
        long bytes = MiniBlock.bitmapBytes(pendingCount);
        raw.buf().setBytes(pos, values.buf(), 0, bytes);
        for (long bit = pendingCount; bit < bytes * 8; bit++) {
          Bits.set(raw.buf(), pos * 8 + bit, false);
        }
        pos += bytes;
      }
      default -> {
      }
    }
    if (pos != MiniBlock.prefixLength(kind, pendingCount, hasValidity) + dataLength()) {
      throw new IllegalStateException("internal error: block layout size mismatch for " + node.path());
    }
    if (dictionary != null) {
      dictionary.useIds(idScope, idScopeSize, idScope == null ? null : pendingIds);
    }
    Runnable fill = null;
    if (byId) {
      long rawAddr = raw.buf().memoryAddress();
      fill = new Fill(pendingIds, pendingCount, byIdBytes, byIdStarts, pendingData, rawAddr + offsetsAt + 4,
          rawAddr + valuesAt);
    }
    try {
      sealed.add(lane.sealer.seal(node, raw.buf(), (int) pos, hasValidity, rowsSealed, pendingRows,
          elementsSealed, pendingCount, choice, dictionary, fill));
    } finally {
      if (dictionary != null) {
        dictionary.useIds(null, 0, null);
      }
    }
    rowsSealed += pendingRows;
    elementsSealed += pendingCount;
    if (kind.isVariableList()) {
      childElementsSealed += pendingData;
    }
    raw.reset(maxBytes + 64);
    startBlock();
  }

  private long dataLength() {
    return switch (node.kind()) {
      case FIXED -> (long) pendingCount * node.byteWidth();
      case BOOL -> MiniBlock.bitmapBytes(pendingCount);
      case VARBINARY, LARGE_VARBINARY -> pendingData;
      default -> 0;
    };
  }

  @Override
  public void close() {
    validity.close();
    offsets.close();
    values.close();
  }
}
