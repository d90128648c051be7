package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.arrow.memory.util.MemoryUtil;

/**
 * LSB-first bit-packing of unsigned integers of a fixed width {@code b} (0 to 64 bits): value
 * {@code i} occupies bits {@code [i*b, (i+1)*b)} of the little-endian bit string, that is bit
 * {@code k} of the stream is {@code byte[k/8] >> (k%8) & 1}. {@code n} values take exactly
 * {@code ceil(n*b/8)} bytes; unused high bits of the last byte are zero.
 *
 * <p>Example: 3-bit values 5, 1, 7 are the bits {@code 101 100 111} (LSB first), i.e. bytes
 * {@code 0xCD 0x01}: {@code 0b11_001_101}, {@code 0b0000000_1}.
 *
 * <p>Reading value {@code i} is O(1): one unaligned 8-byte load (two for widths above 56 bits
 * that straddle a ninth byte). Loads near the end of the packed bytes never read past them.
 */
public final class BitPacking {
  private BitPacking() {}

  /** Bytes of {@code n} packed {@code bits}-bit values. */
  public static long packedBytes(long n, int bits) {
    return (n * bits + 7) >>> 3;
  }

  /** Smallest width that holds the unsigned value {@code v}. */
  public static int bitsFor(long v) {
    // 64 - numberOfLeadingZeros(v); the encoders' selection calls this per value, and C1 (the
    // JIT of short conversions, see bin/weft) does not make numberOfLeadingZeros an instruction.
    // Below 2^52, (double) v is exact and its exponent field is floor(log2 v) + 1023: 3x faster.
    long hi = v >>> 52;
    if (hi == 0) {
      int e = (int) (Double.doubleToRawLongBits((double) v) >>> 52);
      return e == 0 ? 0 : e - 1022;
    }
    return (int) (Double.doubleToRawLongBits((double) hi) >>> 52) - 1022 + 52;
  }

  /** Packs {@code v[0, n)}, each in {@code [0, 2^bits)} (higher bits are masked off). */
  public static void pack(long[] v, int n, int bits, MetaOutput out) {
    // one method per width's loop: the JIT compiles each once, small, instead of compiling all
    // of pack again for each hot loop (on-stack replacement)
    if (bits == 0) {
      return;
    }
    if (bits == 8) {
      // byte-aligned codes (the writer's usual width before zstd): one store per value, the
      // same bytes as the general loop
      pack8(v, n, out);
    } else if (bits == 16) {
      pack16(v, n, out);
    } else {
      packAny(v, n, bits, out);
    }
  }

  private static void pack8(long[] v, int n, MetaOutput out) {
    int at = out.size();
    byte[] a = out.extend(n);
    for (int i = 0; i < n; i++) {
      a[at + i] = (byte) v[i];
    }
  }

  private static void pack16(long[] v, int n, MetaOutput out) {
    int at = out.size();
    byte[] a = out.extend(2 * n);
    for (int i = 0; i < n; i++) {
      long x = v[i];
      a[at] = (byte) x;
      a[at + 1] = (byte) (x >>> 8);
      at += 2;
    }
  }

  private static void packAny(long[] v, int n, int bits, MetaOutput out) {
    long mask = bits == 64 ? -1L : (1L << bits) - 1;
    long acc = 0;
    int accBits = 0;
    // all the bytes at once: ceil(n * bits / 8), whole words then the last bits' bytes
    int at = out.size();
    byte[] a = out.extend((int) (((long) n * bits + 7) >>> 3));
    for (int i = 0; i < n; i++) {
      long x = v[i] & mask;
      acc |= x << accBits;
      if (accBits + bits >= 64) {
        LONG_LE.set(a, at, acc);
        at += 8;
        acc = accBits == 0 ? 0 : x >>> (64 - accBits);
        accBits = accBits + bits - 64;
      } else {
        accBits += bits;
      }
    }
    for (int k = 0; k < accBits; k += 8) {
      a[at++] = (byte) (acc >>> k);
    }
  }

  /**
   * Packs FOR's distances {@code q[0, n)} relative to the base's distance {@code qBase}: value i
   * is {@code q[i] - qBase} where {@code qBase <= q[i]} (unsigned) and the difference fits
   * {@code bits} bits; any other value is an exception, packed as 0 with its index appended to
   * {@code pos}. The same bytes as packing those values with {@link #pack}, in one pass instead of
   * a pass that finds the exceptions and another that packs.
   *
   * @return the number of exceptions
   * @throws IllegalStateException if there are more exceptions than {@code pos} holds
   */
  static int packPatched(long[] q, int n, int bits, long qBase, int[] pos, MetaOutput out) {
    long over = bits == 64 ? 0 : -1L << bits; // a difference with any of these bits set does not fit
    // a value below the base wraps around to a difference that does not fit either, unless the
    // width or the base's distance is 2^63 or more: only then is it compared apart
    boolean checkBelow = bits >= 63 || qBase < 0;
    // one method per width's loop, as in pack
    if (bits == 8) {
      return packPatched8(q, n, qBase, over, checkBelow, pos, out);
    }
    if (bits == 0) {
      return patchPositions(q, n, qBase, pos);
    }
    return packPatchedAny(q, n, bits, qBase, over, checkBelow, pos, out);
  }

  private static int packPatched8(long[] q, int n, long qBase, long over, boolean checkBelow, int[] pos,
      MetaOutput out) {
    int m = 0;
    int at = out.size();
    byte[] a = out.extend(n);
    for (int i = 0; i < n; i++) {
      long x = q[i];
      long p = x - qBase;
      if ((p & over) != 0 || checkBelow && Long.compareUnsigned(x, qBase) < 0) {
        if (m == pos.length) {
          throw tooMany(pos.length);
        }
        pos[m++] = i;
        p = 0;
      }
      a[at + i] = (byte) p;
    }
    return m;
  }

  /** Width 0: nothing is packed; the values other than the base are the exceptions. */
  private static int patchPositions(long[] q, int n, long qBase, int[] pos) {
    int m = 0;
    for (int i = 0; i < n; i++) {
      if (q[i] != qBase) {
        if (m == pos.length) {
          throw tooMany(pos.length);
        }
        pos[m++] = i;
      }
    }
    return m;
  }

  private static int packPatchedAny(long[] q, int n, int bits, long qBase, long over, boolean checkBelow, int[] pos,
      MetaOutput out) {
    int m = 0;
    long acc = 0;
    int accBits = 0;
    int at = out.size();
    byte[] a = out.extend((int) (((long) n * bits + 7) >>> 3));
    for (int i = 0; i < n; i++) {
      long x = q[i];
      long p = x - qBase;
      if ((p & over) != 0 || checkBelow && Long.compareUnsigned(x, qBase) < 0) {
        if (m == pos.length) {
          throw tooMany(pos.length);
        }
        pos[m++] = i;
        p = 0;
      }
      acc |= p << accBits;
      if (accBits + bits >= 64) {
        LONG_LE.set(a, at, acc);
        at += 8;
        acc = accBits == 0 ? 0 : p >>> (64 - accBits);
        accBits = accBits + bits - 64;
      } else {
        accBits += bits;
      }
    }
    for (int k = 0; k < accBits; k += 8) {
      a[at++] = (byte) (acc >>> k);
    }
    return m;
  }

  private static IllegalStateException tooMany(int expected) {
    return new IllegalStateException("FOR found more than the " + expected + " exceptions it counted");
  }

  private static final java.lang.invoke.VarHandle LONG_LE =
      java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

  /** Little-endian load of up to 8 bytes at {@code at}, not reading at or past {@code end}. */
  private static long load(ByteBuffer b, int at, int end) {
    if (at + 8 <= end) {
      return b.getLong(at);
    }
    long v = 0;
    for (int k = 0; at + k < end && k < 8; k++) {
      v |= (b.get(at + k) & 0xFFL) << (8 * k);
    }
    return v;
  }

  /** Value {@code i} of the packed bytes {@code [start, end)}. */
  public static long get(ByteBuffer b, int start, int end, int bits, long i) {
    if (bits == 0) {
      return 0;
    }
    long bitPos = i * bits;
    int at = start + (int) (bitPos >>> 3);
    int shift = (int) (bitPos & 7);
    long w = load(b, at, end) >>> shift;
    if (shift + bits > 64) {
      w |= (long) (b.get(at + 8) & 0xFF) << (64 - shift);
    }
    return bits == 64 ? w : w & ((1L << bits) - 1);
  }

  /**
   * Unpacks values {@code [from, from+n)} as {@code base + scale * packed} into {@code dst}.
   * Tight loops read the packed bytes of a heap or direct buffer without a ByteBuffer call per
   * value (mapped blocks are read-only direct buffers, decompressed ones heap buffers: a call
   * site that sees both is not inlined): whole bytes at 8, 16, 32 and 64 bits, eight values
   * per load below 8 bits, one load per value otherwise.
   *
   * @throws IndexOutOfBoundsException if the values lie outside the packed bytes {@code [start, end)}
   */
  public static void unpack(ByteBuffer b, int start, int end, int bits, int from, int n, long[] dst, int off,
      long base, long scale) {
    if (n <= 0) {
      return;
    }
    if (bits == 0) {
      for (int k = 0; k < n; k++) {
        dst[off + k] = base;
      }
      return;
    }
    if (start < 0 || end > b.capacity() || from < 0 || (long) (from + n) * bits > 8L * (end - start)) {
      throw new IndexOutOfBoundsException("packed values [" + from + ", " + from + " + " + n + ") of " + bits
          + " bits lie outside the " + (end - start) + " packed bytes");
    }
    byte[] arr;
    long addr;
    if (b.hasArray()) {
      arr = b.array();
      start += b.arrayOffset();
      end += b.arrayOffset();
      addr = 0;
    } else if (b.isDirect() && MemoryUtil.LITTLE_ENDIAN) {
      arr = null;
      addr = MemoryUtil.getByteBufferAddress(b);
    } else {
      unpackEach(b, start, end, bits, from, n, dst, off, base, scale, bits == 64 ? -1L : (1L << bits) - 1);
      return;
    }
    unpackRaw(arr, addr, start, end, bits, from, n, dst, off, base, scale);
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);

  // Reads at byte index i of the array, or at address addr + i when arr is null; i was checked
  // against the packed bytes, which lie within the buffer (checked in unpack).
  private static long rawLong(byte[] arr, long addr, int i) {
    return arr != null ? (long) LONGS.get(arr, i) : MemoryUtil.getLong(addr + i);
  }

  private static long rawInt(byte[] arr, long addr, int i) {
    return (arr != null ? (int) INTS.get(arr, i) : MemoryUtil.getInt(addr + i)) & 0xFFFF_FFFFL;
  }

  private static long rawShort(byte[] arr, long addr, int i) {
    return (arr != null ? (short) SHORTS.get(arr, i) : MemoryUtil.getShort(addr + i)) & 0xFFFFL;
  }

  private static long rawByte(byte[] arr, long addr, int i) {
    return (arr != null ? arr[i] : MemoryUtil.getByte(addr + i)) & 0xFFL;
  }

  /** {@link #unpack} over raw bytes: {@code arr} (indexes) or, when null, memory at {@code addr}. */
  private static void unpackRaw(byte[] arr, long addr, int start, int end, int bits, int from, int n, long[] dst,
      int off, long base, long scale) {
    switch (bits) {
      // byte-aligned widths (the writer's choice when zstd follows): value i is whole bytes
      case 8 -> {
        int at = start + from;
        for (int k = 0; k < n; k++) {
          dst[off + k] = base + scale * rawByte(arr, addr, at + k);
        }
        return;
      }
      case 16 -> {
        int at = start + 2 * from;
        for (int k = 0; k < n; k++) {
          dst[off + k] = base + scale * rawShort(arr, addr, at + 2 * k);
        }
        return;
      }
      case 32 -> {
        int at = start + 4 * from;
        for (int k = 0; k < n; k++) {
          dst[off + k] = base + scale * rawInt(arr, addr, at + 4 * k);
        }
        return;
      }
      case 64 -> {
        int at = start + 8 * from;
        for (int k = 0; k < n; k++) {
          dst[off + k] = base + scale * rawLong(arr, addr, at + 8 * k);
        }
        return;
      }
      default -> { }
    }
    long mask = (1L << bits) - 1;
    int safeEnd = end - 8;
    int k = 0;
    if (bits < 8) {
      // 8 values fill exactly `bits` bytes: from a value index divisible by 8 on, one load
      // serves 8 values (byte streams of floats, dictionary codes)
      k = Math.min(n, (8 - (from & 7)) & 7);
      unpackRawEach(arr, addr, start, end, bits, from, k, dst, off, base, scale, mask);
      int s1 = bits;
      int s2 = 2 * bits;
      int s3 = 3 * bits;
      int s4 = 4 * bits;
      int s5 = 5 * bits;
      int s6 = 6 * bits;
      int s7 = 7 * bits;
      for (; k + 8 <= n; k += 8) {
        int at = start + ((from + k) >>> 3) * bits;
        if (at > safeEnd) {
          break;
        }
        long w = rawLong(arr, addr, at);
        int o = off + k;
        dst[o] = base + scale * (w & mask);
        dst[o + 1] = base + scale * ((w >>> s1) & mask);
        dst[o + 2] = base + scale * ((w >>> s2) & mask);
        dst[o + 3] = base + scale * ((w >>> s3) & mask);
        dst[o + 4] = base + scale * ((w >>> s4) & mask);
        dst[o + 5] = base + scale * ((w >>> s5) & mask);
        dst[o + 6] = base + scale * ((w >>> s6) & mask);
        dst[o + 7] = base + scale * ((w >>> s7) & mask);
      }
    }
    unpackRawEach(arr, addr, start, end, bits, from + k, n - k, dst, off + k, base, scale, mask);
  }

  private static void unpackRawEach(byte[] arr, long addr, int start, int end, int bits, int from, int n, long[] dst,
      int off, long base, long scale, long mask) {
    long bitPos = (long) from * bits;
    int k = 0;
    if (bits <= 56) {
      // every value lies within the 8 bytes loaded at its first byte
      int safeEnd = end - 8;
      for (; k < n; k++, bitPos += bits) {
        int at = start + (int) (bitPos >>> 3);
        if (at > safeEnd) {
          break;
        }
        dst[off + k] = base + scale * ((rawLong(arr, addr, at) >>> (bitPos & 7)) & mask);
      }
    }
    for (; k < n; k++, bitPos += bits) {
      // near the end (or above 56 bits): byte by byte, never past the packed bytes
      int at = start + (int) (bitPos >>> 3);
      int shift = (int) (bitPos & 7);
      int last = (int) ((bitPos + bits - 1) >>> 3) + start;
      long w = 0;
      for (int j = at; j <= last && j - at < 8; j++) {
        w |= rawByte(arr, addr, j) << (8 * (j - at));
      }
      w >>>= shift;
      if (shift + bits > 64) {
        w |= rawByte(arr, addr, at + 8) << (64 - shift);
      }
      dst[off + k] = base + scale * (w & mask);
    }
  }

  /** {@link #unpack} through the buffer's own accessors, one value at a time. */
  private static void unpackEach(ByteBuffer b, int start, int end, int bits, int from, int n, long[] dst, int off,
      long base, long scale, long mask) {
    long bitPos = (long) from * bits;
    int k = 0;
    if (bits <= 56) {
      // fast path: every value lies within the 8 bytes loaded at its first byte
      int safeEnd = end - 8;
      for (; k < n; k++, bitPos += bits) {
        int at = start + (int) (bitPos >>> 3);
        if (at > safeEnd) {
          break;
        }
        dst[off + k] = base + scale * ((b.getLong(at) >>> (bitPos & 7)) & mask);
      }
    }
    for (; k < n; k++, bitPos += bits) {
      int at = start + (int) (bitPos >>> 3);
      int shift = (int) (bitPos & 7);
      long w = load(b, at, end) >>> shift;
      if (shift + bits > 64) {
        w |= (long) (b.get(at + 8) & 0xFF) << (64 - shift);
      }
      dst[off + k] = base + scale * (w & mask);
    }
  }
}
