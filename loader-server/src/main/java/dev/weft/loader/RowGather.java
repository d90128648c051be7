package dev.weft.loader;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseFixedWidthVector;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.NullVector;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.NonNullableStructVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/**
 * Builds a new batch whose row {@code i} is row {@code rows[i]} of source batch {@code src[i]}
 * (rows in any order, repeats allowed), by copying Arrow buffers directly.
 *
 * <p>Why not Arrow Java's {@code copyFromSafe} / {@code TransferPair.copyValueSafe}: in Arrow 19
 * they are broken for several nested types (time zones of timestamps inside lists, fixed-size
 * lists, large lists, the null type, ...). And {@code VectorAppender} only concatenates whole
 * vectors, it cannot interleave rows. So this class writes the output buffers itself, the way
 * {@code WeftReader} does, and hands them to a {@link VectorLoader}: for every node of every
 * column (pre-order) a validity bitmap, then offsets and/or data, as Arrow's layout for the type
 * prescribes. It handles exactly the physical layouts Weft stores: null, boolean, fixed width
 * (integers, floats, decimals, dates, times, timestamps, durations, intervals, fixed-size binary),
 * variable width and large variable width (utf8, binary), list, map, large list, fixed-size list
 * and struct, nested in any combination. Null list/string slots are written with length 0.
 *
 * <p>Values are copied with {@link MemoryUtil} at raw addresses (Arrow's checked accessors cost
 * about 20 ns a value, more than the rest of a batch). Safety rests on checks made before any
 * read: every requested row is below its source's value count, buffers are as large as the
 * value count needs, and every offset range read lies within its data buffer.
 */
final class RowGather {
  private RowGather() {}

  /**
   * Gathers rows from sources with equal schemas into a new root owned by the caller.
   *
   * @param sources the source batches (all with the schema of the first)
   * @param src for each output row, the index of its source batch
   * @param rows for each output row, the row within its source batch
   * @throws UnsupportedOperationException for a vector type Weft does not store (e.g. a union)
   * @throws IndexOutOfBoundsException if a row or source index is out of range
   */
  static VectorSchemaRoot gather(List<VectorSchemaRoot> sources, int[] src, int[] rows, BufferAllocator allocator) {
    if (src.length != rows.length) {
      throw new IllegalArgumentException("src and rows differ in length");
    }
    if (!MemoryUtil.LITTLE_ENDIAN) {
      throw new UnsupportedOperationException("RowGather writes bitmaps a word at a time and needs a"
          + " little-endian platform");
    }
    for (int i = 0; i < src.length; i++) {
      if (src[i] < 0 || src[i] >= sources.size()) {
        throw new IndexOutOfBoundsException("source " + src[i] + " of output row " + i + " is not one of "
            + sources.size());
      }
      if (rows[i] < 0 || rows[i] >= sources.get(src[i]).getRowCount()) {
        throw new IndexOutOfBoundsException("row " + rows[i] + " of output row " + i + " is outside source "
            + src[i] + "'s " + sources.get(src[i]).getRowCount() + " rows");
      }
    }
    int numColumns = sources.get(0).getFieldVectors().size();
    List<ArrowFieldNode> nodes = new ArrayList<>();
    List<ArrowBuf> buffers = new ArrayList<>();
    try {
      FieldVector[] vs = new FieldVector[sources.size()];
      for (int c = 0; c < numColumns; c++) {
        for (int s = 0; s < vs.length; s++) {
          vs[s] = sources.get(s).getVector(c);
        }
        node(vs, src, rows, rows.length, nodes, buffers, allocator);
      }
      VectorSchemaRoot root = VectorSchemaRoot.create(sources.get(0).getSchema(), allocator);
      try (ArrowRecordBatch batch = new ArrowRecordBatch(rows.length, nodes, buffers)) {
        new VectorLoader(root).load(batch);
        return root;
      } catch (RuntimeException | Error e) {
        root.close();
        throw e;
      }
    } finally {
      for (ArrowBuf b : buffers) {
        b.close();
      }
    }
  }

  private static ArrowBuf newBuffer(long bytes, List<ArrowBuf> buffers, BufferAllocator allocator) {
    ArrowBuf b = allocator.buffer(bytes);
    buffers.add(b);
    return b;
  }

  /** Raw addresses of one source vector's buffers, checked against its value count. */
  private static final class Src {
    final int valueCount;
    /** Address of the validity bitmap, or 0: all valid. */
    final long validity;
    final long offsets;
    final long data;
    final long dataCapacity;

    Src(FieldVector v, int offsetWidth, long dataWidthBits) {
      valueCount = v.getValueCount();
      long need = (valueCount + 7L) >>> 3;
      if (v instanceof NonNullableStructVector && !(v instanceof StructVector)) {
        validity = 0;
      } else {
        ArrowBuf b = v.getValidityBuffer();
        if (b.capacity() >= need) {
          validity = valueCount == 0 ? 0 : b.memoryAddress();
        } else if (v.getNullCount() == 0) {
          validity = 0;
        } else {
          throw new IllegalStateException("validity buffer of " + v.getField() + " is too short");
        }
      }
      if (offsetWidth > 0) {
        ArrowBuf o = v.getOffsetBuffer();
        if (o.capacity() < (valueCount + 1L) * offsetWidth) {
          if (valueCount != 0) {
            throw new IllegalStateException("offset buffer of " + v.getField() + " is too short");
          }
          offsets = 0;
        } else {
          offsets = o.memoryAddress();
        }
      } else {
        offsets = 0;
      }
      if (dataWidthBits >= 0) {
        ArrowBuf d = v.getDataBuffer();
        dataCapacity = d.capacity();
        if (dataWidthBits > 0 && dataCapacity * 8 < valueCount * dataWidthBits) {
          throw new IllegalStateException("data buffer of " + v.getField() + " is too short");
        }
        data = dataCapacity == 0 ? 0 : d.memoryAddress();
      } else {
        data = 0;
        dataCapacity = 0;
      }
    }

    boolean isValid(int row) {
      return validity == 0 || (MemoryUtil.getByte(validity + (row >>> 3)) >> (row & 7) & 1) != 0;
    }

    long offset(int row, int width) {
      return width == 4 ? MemoryUtil.getInt(offsets + 4L * row) : MemoryUtil.getLong(offsets + 8L * row);
    }

    /** Start and length of a var-width/list slot, checked against {@code capacity}. */
    long checkedRange(int row, int width, long capacity, FieldVector v) {
      long start = offset(row, width);
      long end = offset(row + 1, width);
      if (start < 0 || end < start || end > capacity) {
        throw new IllegalStateException("offsets [" + start + ", " + end + ") of row " + row + " of "
            + v.getField() + " are outside its " + capacity + " data bytes/elements");
      }
      return end - start;
    }
  }

  private static Src[] sources(FieldVector[] vs, int offsetWidth, long dataWidthBits) {
    Src[] out = new Src[vs.length];
    for (int s = 0; s < vs.length; s++) {
      out[s] = new Src(vs[s], offsetWidth, dataWidthBits);
    }
    return out;
  }

  /** Gathers the first {@code n} entries of {@code src}/{@code rows} of one node and its children. */
  private static void node(FieldVector[] vs, int[] src, int[] rows, int n, List<ArrowFieldNode> nodes,
      List<ArrowBuf> buffers, BufferAllocator allocator) {
    FieldVector v0 = vs[0];
    if (v0 instanceof NullVector) {
      nodes.add(new ArrowFieldNode(n, n));
      return;
    }
    Src[] ss;
    if (v0 instanceof BitVector) {
      ss = sources(vs, 0, 1);
    } else if (v0 instanceof BaseFixedWidthVector fixed) {
      ss = sources(vs, 0, fixed.getTypeWidth() * 8L);
    } else if (v0 instanceof BaseVariableWidthVector) {
      ss = sources(vs, 4, 0);
    } else if (v0 instanceof BaseLargeVariableWidthVector) {
      ss = sources(vs, 8, 0);
    } else if (v0 instanceof ListVector) {
      ss = sources(vs, 4, -1);
    } else if (v0 instanceof LargeListVector) {
      ss = sources(vs, 8, -1);
    } else if (v0 instanceof FixedSizeListVector || v0 instanceof NonNullableStructVector) {
      ss = sources(vs, 0, -1);
    } else {
      throw new UnsupportedOperationException("cannot gather rows of column " + v0.getField() + " ("
          + v0.getClass().getSimpleName() + "): not a type Weft stores");
    }
    ArrowBuf validity = newBuffer((n + 63L) >>> 6 << 3, buffers, allocator);
    long va = validity.memoryAddress();
    int nulls = 0;
    boolean[] valid = new boolean[n];
    long word = 0;
    for (int i = 0; i < n; i++) {
      Src s = ss[src[i]];
      int r = rows[i];
      if (r < 0 || r >= s.valueCount) {
        throw new IndexOutOfBoundsException("row " + r + " is outside the " + s.valueCount + " values of "
            + v0.getField());
      }
      if (s.isValid(r)) {
        valid[i] = true;
        word |= 1L << (i & 63);
      } else {
        nulls++;
      }
      if ((i & 63) == 63) {
        MemoryUtil.putLong(va + ((i >>> 6) << 3), word);
        word = 0;
      }
    }
    if ((n & 63) != 0) {
      MemoryUtil.putLong(va + ((n >>> 6) << 3), word);
    }
    nodes.add(new ArrowFieldNode(n, nulls));

    if (v0 instanceof BitVector) {
      ArrowBuf data = newBuffer((n + 63L) >>> 6 << 3, buffers, allocator);
      long da = data.memoryAddress();
      long bits = 0;
      for (int i = 0; i < n; i++) {
        Src s = ss[src[i]];
        int r = rows[i];
        bits |= (long) (MemoryUtil.getByte(s.data + (r >>> 3)) >> (r & 7) & 1) << (i & 63);
        if ((i & 63) == 63) {
          MemoryUtil.putLong(da + ((i >>> 6) << 3), bits);
          bits = 0;
        }
      }
      if ((n & 63) != 0) {
        MemoryUtil.putLong(da + ((n >>> 6) << 3), bits);
      }
    } else if (v0 instanceof BaseFixedWidthVector fixed) {
      int w = fixed.getTypeWidth();
      ArrowBuf data = newBuffer((long) n * w, buffers, allocator);
      long da = data.memoryAddress();
      switch (w) {
        case 8 -> {
          for (int i = 0; i < n; i++) {
            MemoryUtil.putLong(da + 8L * i, MemoryUtil.getLong(ss[src[i]].data + 8L * rows[i]));
          }
        }
        case 4 -> {
          for (int i = 0; i < n; i++) {
            MemoryUtil.putInt(da + 4L * i, MemoryUtil.getInt(ss[src[i]].data + 4L * rows[i]));
          }
        }
        default -> {
          for (int i = 0; i < n; i++) {
            MemoryUtil.copyMemory(ss[src[i]].data + (long) w * rows[i], da + (long) w * i, w);
          }
        }
      }
    } else if (v0 instanceof BaseVariableWidthVector || v0 instanceof BaseLargeVariableWidthVector) {
      int ow = v0 instanceof BaseVariableWidthVector ? 4 : 8;
      long total = 0;
      for (int i = 0; i < n; i++) {
        if (valid[i]) {
          Src s = ss[src[i]];
          total += s.checkedRange(rows[i], ow, s.dataCapacity, vs[src[i]]);
        }
      }
      if (ow == 4 && total > Integer.MAX_VALUE) {
        throw new IllegalStateException("a batch holds " + total + " bytes of " + v0.getField()
            + ", more than 32-bit offsets allow; read fewer rows per batch");
      }
      ArrowBuf offsets = newBuffer((n + 1L) * ow, buffers, allocator);
      ArrowBuf data = newBuffer(total, buffers, allocator);
      long oa = offsets.memoryAddress();
      long da = data.memoryAddress();
      long end = 0;
      putOffset(oa, 0, ow, 0);
      for (int i = 0; i < n; i++) {
        if (valid[i]) {
          Src s = ss[src[i]];
          long start = s.offset(rows[i], ow);
          long len = s.offset(rows[i] + 1, ow) - start;
          if (len > 0) {
            MemoryUtil.copyMemory(s.data + start, da + end, len);
            end += len;
          }
        }
        putOffset(oa, i + 1, ow, end);
      }
    } else if (v0 instanceof ListVector || v0 instanceof LargeListVector) {
      // ListVector includes MapVector; children are gathered element by element
      int ow = v0 instanceof ListVector ? 4 : 8;
      FieldVector[] kids = children(vs, 0);
      long total = 0;
      for (int i = 0; i < n; i++) {
        if (valid[i]) {
          total += ss[src[i]].checkedRange(rows[i], ow, kids[src[i]].getValueCount(), vs[src[i]]);
        }
      }
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("a batch of " + n + " rows holds " + total + " elements of "
            + v0.getField() + "; read fewer rows per batch");
      }
      ArrowBuf offsets = newBuffer((n + 1L) * ow, buffers, allocator);
      long oa = offsets.memoryAddress();
      int[] childSrc = new int[(int) total];
      int[] childRows = new int[(int) total];
      int end = 0;
      putOffset(oa, 0, ow, 0);
      for (int i = 0; i < n; i++) {
        if (valid[i]) {
          Src s = ss[src[i]];
          long from = s.offset(rows[i], ow);
          long to = s.offset(rows[i] + 1, ow);
          for (long e = from; e < to; e++) {
            childSrc[end] = src[i];
            childRows[end] = (int) e;
            end++;
          }
        }
        putOffset(oa, i + 1, ow, end);
      }
      node(kids, childSrc, childRows, end, nodes, buffers, allocator);
    } else if (v0 instanceof FixedSizeListVector fsl) {
      int size = fsl.getListSize();
      long total = (long) n * size;
      if (total > Integer.MAX_VALUE - 8) {
        throw new IllegalStateException("a batch of " + n + " rows holds " + total + " elements of "
            + v0.getField() + "; read fewer rows per batch");
      }
      int[] childSrc = new int[(int) total];
      int[] childRows = new int[(int) total];
      int k = 0;
      for (int i = 0; i < n; i++) {
        for (int e = 0; e < size; e++, k++) {
          childSrc[k] = src[i];
          childRows[k] = rows[i] * size + e;
        }
      }
      node(children(vs, 0), childSrc, childRows, k, nodes, buffers, allocator);
    } else {
      // NonNullableStructVector, including StructVector
      int numChildren = v0.getChildrenFromFields().size();
      for (int c = 0; c < numChildren; c++) {
        node(children(vs, c), src, rows, n, nodes, buffers, allocator);
      }
    }
  }

  private static void putOffset(long address, int index, int width, long value) {
    if (width == 4) {
      MemoryUtil.putInt(address + 4L * index, (int) value);
    } else {
      MemoryUtil.putLong(address + 8L * index, value);
    }
  }

  private static FieldVector[] children(FieldVector[] vs, int child) {
    FieldVector[] out = new FieldVector[vs.length];
    for (int s = 0; s < vs.length; s++) {
      out[s] = vs[s].getChildrenFromFields().get(child);
    }
    return out;
  }
}
