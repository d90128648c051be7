package dev.weft.writer;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.MemoryUtil;
import org.apache.arrow.vector.BaseLargeVariableWidthVector;
import org.apache.arrow.vector.BaseVariableWidthVector;
import org.apache.arrow.vector.FieldVector;

/**
 * Copies strings given by id ({@link ValueIds#byId}) from their scope's entries: into pending
 * block buffers (the plain layout's 4-byte offsets and values), or into a vector whose data
 * buffer the source left unwritten.
 */
final class ValuesById {
  private ValuesById() {}

  /**
   * Writes the plain layout of {@code n} rows with ids {@code ids[from, from + n)} (-1: a null,
   * no bytes): offset entries 1..n (4 bytes each, the first relative to {@code base}) at
   * {@code offAddr} (null: not written) and the bytes from {@code valAddr}; returns the bytes
   * written.
   */
  static long write(int[] ids, int from, int n, byte[] bytes, int[] starts, long base, long offAddr, long valAddr) {
    long pos = 0;
    for (int i = 0; i < n; i++) {
      int id = ids[from + i];
      if (id >= 0) {
        int s = starts[id];
        int len = starts[id + 1] - s;
        if (len <= 16) {
          // short strings (codes, names): Unsafe.copyMemory's argument checks cost more than the copy
          long dst = valAddr + pos;
          for (int j = 0; j < len; j++) {
            MemoryUtil.putByte(dst + j, bytes[s + j]);
          }
        } else {
          MemoryUtil.copyToMemory(bytes, s, valAddr + pos, len);
        }
        pos += len;
      }
      if (offAddr != 0) {
        MemoryUtil.putInt(offAddr + 4L * i, (int) (base + pos));
      }
    }
    return pos;
  }

  /**
   * Writes the bytes of rows {@code [0, rows)} of {@code v} (a vector with validity and offsets
   * whose data buffer was left unwritten) from {@code ids}' entries, so that it holds its values.
   */
  static void fill(FieldVector v, ValueIds ids, int rows) {
    boolean large = v instanceof BaseLargeVariableWidthVector;
    if (!large && !(v instanceof BaseVariableWidthVector)) {
      throw new IllegalArgumentException("column '" + v.getField().getName() + "': values by id for a vector of "
          + v.getField().getType() + " (strings and binary only)");
    }
    long total = offset(v, large, rows);
    while (v.getDataBuffer().capacity() < total) {
      if (large) {
        ((BaseLargeVariableWidthVector) v).reallocDataBuffer();
      } else {
        ((BaseVariableWidthVector) v).reallocDataBuffer();
      }
    }
    ArrowBuf data = v.getDataBuffer();
    long addr = data.memoryAddress();
    int[] id = ids.ids();
    byte[] bytes = ids.valueBytes();
    int[] starts = ids.valueStarts();
    for (int r = 0; r < rows; r++) {
      long at = offset(v, large, r);
      long len = offset(v, large, r + 1) - at;
      int k = id[r];
      if (k < 0) {
        if (len != 0 && !v.isNull(r)) {
          throw new IllegalArgumentException("column '" + v.getField().getName() + "': row " + r
              + " has no value id but its values are given by id");
        }
        continue;
      }
      if (len != starts[k + 1] - starts[k]) {
        throw new IllegalArgumentException("column '" + v.getField().getName() + "': row " + r + " is " + len
            + " bytes long but its value id's entry is " + (starts[k + 1] - starts[k]));
      }
      MemoryUtil.copyToMemory(bytes, starts[k], addr + at, len);
    }
  }

  private static long offset(FieldVector v, boolean large, int r) {
    ArrowBuf o = v.getOffsetBuffer();
    return large ? o.getLong(8L * r) : o.getInt(4L * r);
  }
}
