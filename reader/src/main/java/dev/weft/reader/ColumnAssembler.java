package dev.weft.reader;

import dev.weft.format.Bits;
import dev.weft.format.CorruptFileException;
import dev.weft.format.MiniBlock;
import dev.weft.format.NodeKind;
import java.io.IOException;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * Copies element ranges of one column from its mini-blocks into an {@link OutputNode} tree.
 * Keeps a small cache of decoded blocks per node, so sorted or clustered reads decode each
 * block once. One instance per call (scan or take); not thread-safe.
 */
final class ColumnAssembler {
  private static final int CACHE_SLOTS = 16;

  private final ColumnReader column;
  /** Per node: blocks this call decoded, direct-mapped by block id (the shared cache may be off or full). */
  private final DecodedBlock[][] cache;
  /** Per node: the block used last. */
  private final DecodedBlock[] last;
  /** Per node: whether the block used last was not plain and uncompressed (see append). */
  private final boolean[] notPlain;
  /** Scratch for decoding a range of encoded values. */
  private long[] scratch = new long[64];
  private final boolean zeroCopy;
  /** Whether blocks this call decodes go into the reader's shared cache (not for scans). */
  private final boolean share;

  /**
   * @param zeroCopy whether a fixed-width range stored contiguously and uncompressed may be
   *     handed to Arrow as a view of the mapped file instead of a copy
   */
  ColumnAssembler(ColumnReader column, boolean zeroCopy) {
    this(column, zeroCopy, true);
  }

  /**
   * @param share whether blocks decoded by this call go into the reader's shared cache: false
   *     for a sequential scan, which reads each block once (see
   *     {@link NodeReader#blockFor(long, DecodedBlock[], boolean)}); blocks already there are
   *     used either way
   */
  ColumnAssembler(ColumnReader column, boolean zeroCopy, boolean share) {
    this.share = share;
    this.column = column;
    this.cache = new DecodedBlock[column.nodes().length][CACHE_SLOTS];
    this.last = new DecodedBlock[column.nodes().length];
    this.notPlain = new boolean[column.nodes().length];
    this.zeroCopy = zeroCopy;
  }

  private DecodedBlock block(int nodeIndex, long element) throws IOException {
    DecodedBlock b = last[nodeIndex];
    if (b != null && element >= b.firstElement() && element < b.endElement()) {
      return b;
    }
    b = column.nodes()[nodeIndex].blockFor(element, cache[nodeIndex], share);
    last[nodeIndex] = b;
    // the fixed-width fast path only serves plain uncompressed blocks: skip it while they are not
    notPlain[nodeIndex] = !b.uncompressed() || b.view().validityPos >= 0;
    return b;
  }

  /** Appends elements {@code [from, to)} of the node at {@code out} (and its descendants). */
  void append(OutputNode out, long from, long to) throws IOException {
    int nodeIndex = out.node.index();
    if (zeroCopy && out.count == 0 && out.node.kind() == NodeKind.FIXED && to - from >= 64) {
      java.nio.ByteBuffer view = column.nodes()[nodeIndex].contiguousValues(from, to);
      if (view != null && view.isDirect()) {
        out.useExternalData(MappedBuffers.wrap(out.allocator(), view));
        Bits.setOnes(out.validity.ensure((to - from + 7) >>> 3), 0, to - from);
        out.count = to - from;
        return;
      }
    }
    out.materializeExternal();
    NodeReader reader = column.nodes()[nodeIndex];
    boolean direct = !share && out.node.kind() == NodeKind.FIXED
        && !dev.weft.format.EncodedBlocks.intWidth(out.node.byteWidth());
    if (out.node.kind() == NodeKind.FIXED && to - from <= FAST_PATH_MAX) {
      DecodedBlock lastBlock = last[nodeIndex];
      boolean inLast = lastBlock != null && from >= lastBlock.firstElement() && to <= lastBlock.endElement();
      if (!inLast && !notPlain[nodeIndex]) {
        from = appendFixedFast(out, reader, from, to);
      }
    }
    if (out.node.kind() == NodeKind.FIXED && !reader.mapped()) {
      DecodedBlock lastBlock = last[nodeIndex];
      if (lastBlock == null || from < lastBlock.firstElement() || to > lastBlock.endElement()) {
        from = appendFixedPread(out, reader, from, to);
      }
    }
    long e = from;
    while (e < to) {
      if (direct) {
        e = appendBytesDirect(out, reader, e, to);
        if (e >= to) {
          break;
        }
      }
      DecodedBlock b = block(nodeIndex, e);
      int i = (int) (e - b.firstElement());
      int n = (int) Math.min(to - e, b.endElement() - e);
      appendFromBlock(out, b, i, n);
      e += n;
    }
  }

  /**
   * The scan path of wide FIXED values: whole blocks of {@code [from, to)} stored compressed,
   * plain or as UP streams, decode straight into the output (see
   * {@link NodeReader#decodeBytesInto}); returns where the general path must go on (for one block).
   */
  private long appendBytesDirect(OutputNode out, NodeReader reader, long from, long to) throws IOException {
    int w = out.node.byteWidth();
    DecodedBlock lastBlock = last[out.node.index()];
    if (lastBlock != null && from >= lastBlock.firstElement() && from < lastBlock.endElement()) {
      return from; // the rest of a block decoded for the previous batch
    }
    ArrowBuf dst = out.data.ensureForOverwrite((out.count + (to - from)) * w);
    while (from < to) {
      long at = out.count;
      int n = reader.decodeBytesInto(from, to - from, dst.memoryAddress() + at * w, bytesScratch);
      if (n == 0) {
        break;
      }
      out.data.written(at * w, (at + n) * w);
      Bits.setOnes(out.validity.ensure((at + n + 7) >>> 3), at, n);
      out.count += n;
      from += n;
    }
    return from;
  }

  /** The decompressed block of {@link #appendBytesDirect} (a direct buffer, grown as needed). */
  private final java.nio.ByteBuffer[] bytesScratch = new java.nio.ByteBuffer[1];

  /**
   * Appends the values of a top-level FIXED column at the given rows to an empty output: value
   * {@code i} is row {@code rows[i]}. The rows are visited in ascending order ({@code order}:
   * the indexes of {@code rows} sorted by row), so rows sharing a mini-block look it up once and
   * blocks are visited in file order; each value is written straight to its output slot.
   */
  void appendFixedRows(OutputNode out, long[] rows, int[] order) throws IOException {
    int n = rows.length;
    int nodeIndex = out.node.index();
    NodeReader reader = column.nodes()[nodeIndex];
    FastBlocks fast = reader.fast();
    int w = out.node.byteWidth();
    boolean narrow = w == 1 || w == 2 || w == 4 || w == 8;
    out.materializeExternal();
    ArrowBuf validity = out.validity.ensure((n + 7L) >>> 3);
    ArrowBuf data = out.data.ensure((long) n * w);
    long va = validity.memoryAddress();
    long da = data.memoryAddress();
    long nulls = 0;
    for (int k = 0; k < n; k++) {
      int pos = order[k];
      long e = rows[pos];
      long dst = da + (long) pos * w;
      if (narrow && fast != null) {
        long loc = reader.locate(e);
        int g = (int) (loc >>> 32);
        int tag = fast.tag(g);
        long[] aux = tag >= FastBlocks.DICT ? fast.aux(g) : null;
        if (tag >= FastBlocks.PLAIN && (tag < FastBlocks.DICT || aux != null)) {
          // a block without validity: every value is valid
          long v;
          try {
            v = fast.value(g, (int) loc, aux);
          } catch (IllegalArgumentException ex) {
            throw CorruptFileException.at(column.path(), column.name(), -1, "malformed encoded values in the "
                + out.node.path() + " block holding element " + e + ": " + ex.getMessage());
          }
          putValue(dst, v, w);
          long byteAt = va + (pos >>> 3);
          MemoryUtil.putByte(byteAt, (byte) (MemoryUtil.getByte(byteAt) | (1 << (pos & 7))));
          continue;
        }
        if (tag == FastBlocks.UNKNOWN || (tag >= FastBlocks.DICT && aux == null)) {
          DecodedBlock blk = block(nodeIndex, e);
          // entries that keep arrays only for cached blocks (the cache's eviction drops them)
          boolean pin = reader.isCached(e, blk);
          fast.register(g, blk, pin);
          if (pin && !reader.isCached(e, blk)) {
            fast.forget(g); // evicted meanwhile
          }
        }
      }
      DecodedBlock b = block(nodeIndex, e);
      MiniBlock mb = b.view();
      int i = (int) (e - b.firstElement());
      if (mb.validityPos < 0 || mb.isValid(i)) {
        long byteAt = va + (pos >>> 3);
        MemoryUtil.putByte(byteAt, (byte) (MemoryUtil.getByte(byteAt) | (1 << (pos & 7))));
      } else {
        nulls++;
      }
      if (mb.values != null) {
        long v;
        try {
          v = mb.values.get(i);
        } catch (IllegalArgumentException | IndexOutOfBoundsException ex) {
          throw CorruptFileException.at(column.path(), column.name(), -1, "malformed encoded values in the "
              + out.node.path() + " block at element " + b.firstElement() + ": " + ex.getMessage());
        }
        putValue(dst, v, w);
      } else {
        int at = mb.valuesPos + i * w;
        java.nio.ByteBuffer src = mb.buf;
        switch (w) {
          case 8 -> MemoryUtil.putLong(dst, src.getLong(at));
          case 4 -> MemoryUtil.putInt(dst, src.getInt(at));
          case 2 -> MemoryUtil.putShort(dst, src.getShort(at));
          case 1 -> MemoryUtil.putByte(dst, src.get(at));
          default -> data.setBytes((long) pos * w, src.duplicate().position(at).limit(at + w));
        }
      }
    }
    out.count = n;
    out.nullCount += nulls;
  }

  private static void putValue(long dst, long v, int w) {
    switch (w) {
      case 8 -> MemoryUtil.putLong(dst, v);
      case 4 -> MemoryUtil.putInt(dst, (int) v);
      case 2 -> MemoryUtil.putShort(dst, (short) v);
      default -> MemoryUtil.putByte(dst, (byte) v);
    }
  }

  /** Ranges up to this many values try the per-value fast path (takes, not scans). */
  private static final int FAST_PATH_MAX = 8;

  /**
   * Copies values straight from the mapped file while their blocks allow it (see
   * {@link NodeReader#fixedValueAddress}); returns the first element not copied.
   */
  private static long appendFixedFast(OutputNode out, NodeReader reader, long from, long to) throws IOException {
    int w = out.node.byteWidth();
    long e = from;
    while (e < to) {
      long addr = reader.fixedValueAddress(e);
      if (addr < 0) {
        break;
      }
      long at = out.count;
      ArrowBuf dst = out.data.ensure((at + 1) * w);
      org.apache.arrow.memory.util.MemoryUtil.copyMemory(addr, dst.memoryAddress() + at * w, w);
      Bits.set(out.validity.ensure((at >>> 3) + 1), at, true);
      out.count++;
      e++;
    }
    if (e > from) {
      // a take's range is one row's values of this node, which lie in one block
      reader.countFastBlockRead();
    }
    return e;
  }

  private final long[] blockEnd = new long[1];

  /**
   * Positional reads: values {@code [from, to)} of plain blocks already verified are read from the
   * file straight into the output, one read per block run (what a mapped reader gets from
   * {@link #appendFixedFast}): a random take of one row of a wide plain column (an embedding of
   * 64 floats in a block of tens of KiB) reads those 256 bytes, not a copy of the whole block.
   * Returns the first element not read (where a block is not plain or not verified yet).
   */
  private long appendFixedPread(OutputNode out, NodeReader reader, long from, long to) throws IOException {
    int w = out.node.byteWidth();
    long e = from;
    while (e < to) {
      long offset = reader.plainValueOffset(e, blockEnd);
      if (offset < 0) {
        break;
      }
      long n = Math.min(to, blockEnd[0]) - e;
      long at = out.count;
      ArrowBuf dst = out.data.ensure((at + n) * w);
      reader.readValues(offset, dst.memoryAddress() + at * w, Math.toIntExact(n * w));
      Bits.setOnes(out.validity.ensure((at + n + 7) >>> 3), at, n);
      out.count += n;
      e += n;
      reader.countFastBlockRead();
    }
    return e;
  }

  /** Encoded ranges up to this many values are decoded into {@link #scratch}, not by copyTo. */
  private static final int SMALL_RANGE = 256;

  /**
   * Writes encoded values {@code [i, i + n)} as {@code w}-byte little-endian integers at
   * {@code address} (capacity ensured by the caller): no allocation, unlike {@code copyTo}.
   */
  private void copySmall(dev.weft.format.encoding.IntDecoder values, int i, int n, int w, long address) {
    long[] v = scratch;
    if (n == 1) {
      v[0] = values.get(i);
    } else {
      if (v.length < n) {
        v = scratch = new long[Math.max(n, 2 * v.length)];
      }
      values.decode(i, n, v, 0);
    }
    switch (w) {
      case 8 -> {
        for (int k = 0; k < n; k++) {
          org.apache.arrow.memory.util.MemoryUtil.putLong(address + 8L * k, v[k]);
        }
      }
      case 4 -> {
        for (int k = 0; k < n; k++) {
          org.apache.arrow.memory.util.MemoryUtil.putInt(address + 4L * k, (int) v[k]);
        }
      }
      case 2 -> {
        for (int k = 0; k < n; k++) {
          org.apache.arrow.memory.util.MemoryUtil.putShort(address + 2L * k, (short) v[k]);
        }
      }
      case 1 -> {
        for (int k = 0; k < n; k++) {
          org.apache.arrow.memory.util.MemoryUtil.putByte(address + k, (byte) v[k]);
        }
      }
      default -> throw new IllegalArgumentException("encoded values of width " + w);
    }
  }

  private void appendFromBlock(OutputNode out, DecodedBlock block, int i, int n) throws IOException {
    MiniBlock mb = block.view();
    long at = out.count;
    if (out.node.kind() == NodeKind.NULL) {
      out.count += n;
      out.nullCount += n;
      return;
    }
    // validity
    ArrowBuf validity = out.validity.ensure(((at + n) + 7) >>> 3);
    if (mb.validityPos < 0) {
      Bits.setOnes(validity, at, n);
    } else {
      Bits.copy(mb.buf, mb.validityPos, i, validity, at, n);
      out.nullCount += n - Bits.countSet(validity, at, n);
    }
    switch (out.node.kind()) {
      case FIXED -> {
        int w = out.node.byteWidth();
        // every value of the range is written below (nulls too): no zeroing first
        ArrowBuf dst = out.data.ensureForOverwrite((at + n) * w);
        if (mb.values != null) {
          try {
            if (n <= SMALL_RANGE) {
              copySmall(mb.values, i, n, w, dst.memoryAddress() + at * w);
            } else {
              mb.values.copyTo(i, n, w, dst, at * w);
            }
          } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
            throw CorruptFileException.at(column.path(), column.name(), -1, "malformed encoded values in the "
                + out.node.path() + " block at element " + block.firstElement() + ": " + e.getMessage());
          }
        } else {
          dst.setBytes(at * w, mb.buf.duplicate().position(mb.valuesPos + i * w).limit(mb.valuesPos + (i + n) * w));
        }
        out.data.written(at * w, (at + n) * w);
      }
      case BOOL -> {
        ArrowBuf dst = out.data.ensure(((at + n) + 7) >>> 3);
        Bits.copy(mb.buf, mb.valuesPos, i, dst, at, n);
      }
      case VARBINARY, LARGE_VARBINARY -> {
        long base = mb.offset(i);
        long end = mb.offset(i + n);
        out.putOffsets(at, mb, i, n, out.dataLength - base);
        ArrowBuf dst = out.data.ensure(out.dataLength + (end - base));
        dst.setBytes(out.dataLength, mb.buf.duplicate().position((int) (mb.valuesPos + base))
            .limit((int) (mb.valuesPos + end)));
        out.dataLength += end - base;
      }
      case LIST, LARGE_LIST -> {
        long base = mb.offset(i);
        long end = mb.offset(i + n);
        long childTotal = column.nodes()[out.children[0].node.index()].totalElements;
        if (mb.childStart + end > childTotal) {
          throw CorruptFileException.at(column.path(), column.name(), -1, out.node.path() + " block at element "
              + block.firstElement() + " refers to child elements up to " + (mb.childStart + end)
              + ", but " + out.children[0].node.path() + " has " + childTotal);
        }
        out.putOffsets(at, mb, i, n, out.dataLength - base);
        out.dataLength += end - base;
        out.count += n;
        append(out.children[0], mb.childStart + base, mb.childStart + end);
        return;
      }
      case FIXED_SIZE_LIST -> {
        long size = out.node.listSize();
        long first = block.firstElement() + i;
        out.count += n;
        append(out.children[0], first * size, (first + n) * size);
        return;
      }
      case STRUCT -> {
        long first = block.firstElement() + i;
        out.count += n;
        for (OutputNode child : out.children) {
          append(child, first, first + n);
        }
        return;
      }
      default -> throw new IllegalStateException("unexpected kind " + out.node.kind());
    }
    out.count += n;
  }
}
