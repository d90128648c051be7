package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;

/**
 * BytesStream scheme PAETH (format 3.0; the stream's grammar and the other schemes are in
 * {@link BytesStreams}): each value's bytes are predicted from their neighbours with PNG's Paeth
 * filter, viewing the value as rows of {@code Stride} bytes, and only the residuals are stored,
 * for the block's codec pass to compress.
 *
 * <pre>
 * BytesStream(n, w) --&gt; Scheme u8 = 16, Stride VarInt (1..w), Residuals byte[n*w]
 * </pre>
 *
 * PAETH, for each value on its own: byte {@code j} (0-based) of the value has the left neighbour
 * {@code a} = byte {@code j-1} if {@code j % Stride != 0}, the upper one {@code b} = byte
 * {@code j-Stride} if {@code j >= Stride}, the upper-left one {@code c} = byte {@code j-Stride-1}
 * if both exist, each 0 when absent; {@code p = a + b - c}; the prediction is {@code a} if
 * {@code |p-a| <= |p-b|} and {@code |p-a| <= |p-c|}, else {@code b} if {@code |p-b| <= |p-c|},
 * else {@code c} (PNG filter type 4); byte {@code j} = {@code (Residual[j] + prediction) mod 256}.
 * Example: the 2x2 image {@code 10 12 / 11 13} (w = 4, Stride 2) has residuals
 * {@code 0A 02 01 01} (10 - 0, 12 - 10, 11 - 10, 13 - 12: for the last byte a = 11, b = 12,
 * c = 10, p = 13, and b is nearest).
 *
 * <p>Limits: none beyond the block's (one value decodes from its own w bytes, O(w)); decoding is
 * serial per byte (each prediction needs the byte just decoded to its left), about 0.2 GB/s. The
 * reader lays the block out as plain values when it first decodes it. Selection (4.0): the
 * writer encodes blocks of FIXED nodes of these widths with {@link UpBytes} (Stride = sqrt(w)
 * when w is a square, as 28 x 28 images are, else w) when a codec follows, and tries PAETH beside
 * it, which it keeps only where the compressed block is at least 10% smaller than UP's (on
 * Fashion-MNIST it is about 3.5% smaller, so UP is kept: it decodes more than 10x faster).
 */
public final class PaethBytes {
  public static final int PAETH = 16;

  private PaethBytes() {}

  /** The stride the writer uses for width {@code w}: its square root when w is a square, else w. */
  public static int stride(int w) {
    int s = (int) Math.round(Math.sqrt(w));
    return s > 1 && s * s == w ? s : w;
  }

  /** Encodes n values of w bytes at {@code from} of {@code src} as a PAETH stream. */
  public static void encode(byte[] src, int from, int n, int w, MetaOutput out) {
    int stride = stride(w);
    out.u8(PAETH);
    Varints.write(out, stride);
    byte[] res = new byte[n * w];
    for (int i = 0; i < n; i++) {
      int base = from + i * w;
      int r = i * w;
      for (int rowStart = 0; rowStart < w; rowStart += stride) {
        int rowEnd = Math.min(w, rowStart + stride);
        for (int j = rowStart; j < rowEnd; j++) {
          res[r + j] = (byte) (src[base + j] - predict(src, base, j, rowStart, stride));
        }
      }
    }
    out.bytes(res);
  }

  /**
   * The Paeth prediction of byte j (in the row starting at {@code rowStart}) of the value at
   * {@code base} from its already decoded neighbours.
   */
  private static int predict(byte[] v, int base, int j, int rowStart, int stride) {
    if (rowStart == 0) {
      return j == 0 ? 0 : v[base + j - 1] & 0xFF; // first row: the left neighbour (b = c = 0)
    }
    int b = v[base + j - stride] & 0xFF;
    if (j == rowStart) {
      return b; // first column: a = c = 0, so p = b and b is nearest
    }
    int a = v[base + j - 1] & 0xFF;
    int c = v[base + j - stride - 1] & 0xFF;
    int p = a + b - c;
    int pa = Math.abs(p - a);
    int pb = Math.abs(p - b);
    int pc = Math.abs(p - c);
    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
  }

  /** Decodes n values of w bytes in place: {@code d[at, at + n*w)} holds their residuals and then their bytes. */
  static void unfilter(byte[] d, int at, int n, int w, int s) {
    for (int i = 0; i < n; i++) {
      unfilter(d, at + i * w, w, s);
    }
  }

  /** Decodes one value of w bytes at {@code base} in place: rows of {@code s} bytes, each row in one tight loop. */
  private static void unfilter(byte[] d, int base, int w, int s) {
    int firstEnd = base + Math.min(w, s);
    for (int k = base + 1; k < firstEnd; k++) {
      d[k] += d[k - 1]; // first row: the left neighbour
    }
    for (int rowStart = base + s; rowStart < base + w; rowStart += s) {
      int rowEnd = Math.min(base + w, rowStart + s);
      d[rowStart] += d[rowStart - s]; // first column: the upper neighbour
      int a = d[rowStart] & 0xFF;
      for (int k = rowStart + 1; k < rowEnd; k++) {
        int b = d[k - s] & 0xFF;
        int c = d[k - s - 1] & 0xFF;
        int pa = Math.abs(b - c); // |p - a| with p = a + b - c
        int pb = Math.abs(a - c);
        int pc = Math.abs(a + b - 2 * c);
        int pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        a = (d[k] + pred) & 0xFF;
        d[k] = (byte) a;
      }
    }
  }
}
