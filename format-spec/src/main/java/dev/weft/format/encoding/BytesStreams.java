package dev.weft.format.encoding;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;

/**
 * Streams of fixed-width byte values wider than 8 bytes or of widths other than 1, 2, 4, 8
 * (FixedSizeBinary, decimals, intervals; format 3.0), above all raw images: the scheme byte and
 * the dispatch to each scheme's class.
 *
 * <pre>
 * BytesStream(n, w) --&gt; Scheme u8, SchemeBody
 *   0  PLAIN : Values byte[n*w]
 *   16 PAETH : Stride VarInt (1..w), Residuals byte[n*w]    (3.0)  see {@link PaethBytes}
 *   17 UP    : Stride VarInt (1..w), Residuals byte[n*w]    (4.0)  see {@link UpBytes}
 *   18 SPAN  : Stride VarInt (1..min(w, 255)), Spans, Residuals (5.0)  see {@link SpanBytes}
 *   19 SPAN_FOLD : as SPAN, span deltas zigzag-coded, residuals folded (6.0)  see {@link SpanBytes}
 * </pre>
 *
 * Scheme ids start at 16 so that the scheme in a block's flags names one encoding whatever the
 * width. PLAIN, PAETH and UP decode in place (the residuals become the values where they lie), so
 * a reader that owns the decompressed block needs no copy ({@link #decodeInPlace}); SPAN and
 * SPAN_FOLD store fewer bytes than they decode to, and are decoded into new memory.
 */
public final class BytesStreams {
  public static final int PLAIN = 0;
  public static final int PAETH = PaethBytes.PAETH;
  public static final int UP = UpBytes.UP;
  public static final int SPAN = SpanBytes.SPAN;
  public static final int SPAN_FOLD = SpanBytes.SPAN_FOLD;

  private BytesStreams() {}

  public static String name(int id) {
    return switch (id) {
      case PLAIN -> "BYTES_PLAIN";
      case PAETH -> "PAETH";
      case UP -> "UP";
      case SPAN -> "SPAN";
      case SPAN_FOLD -> "SPAN_FOLD";
      default -> "UNKNOWN(" + id + ")";
    };
  }

  /** Whether {@code id} is a BytesStream scheme id above the integer ones (PAETH, UP, SPAN, SPAN_FOLD). */
  public static boolean isBytesScheme(int id) {
    return id == PAETH || id == UP || isSpan(id);
  }

  /** Whether {@code id} is SPAN or SPAN_FOLD (one {@link SpanBytes} layout). */
  public static boolean isSpan(int id) {
    return id == SPAN || id == SPAN_FOLD;
  }

  /**
   * Whether {@code scheme} can store values of width {@code w} (SPAN, SPAN_FOLD: only with a
   * stride up to 255).
   */
  public static boolean applies(int scheme, int w) {
    return !isSpan(scheme) || SpanBytes.applies(w, PaethBytes.stride(w));
  }

  /**
   * Encodes n values of w bytes at {@code from} of {@code src} with {@code scheme} (PAETH, UP,
   * SPAN or SPAN_FOLD, which must {@link #applies}), the stride {@link PaethBytes#stride}(w).
   */
  public static void encode(byte[] src, int from, int n, int w, int scheme, MetaOutput out) {
    switch (scheme) {
      case PAETH -> PaethBytes.encode(src, from, n, w, out);
      case UP -> UpBytes.encode(src, from, n, w, PaethBytes.stride(w), out);
      case SPAN, SPAN_FOLD -> SpanBytes.encode(src, from, n, w, PaethBytes.stride(w), scheme == SPAN_FOLD, out);
      default -> throw new IllegalArgumentException("not a bytes scheme: " + scheme);
    }
  }

  /**
   * Parses a stream of n values of w bytes at cascade level 1 and writes the decoded values to
   * {@code dst} at {@code at} ({@code n * w} bytes).
   */
  public static void decode(EncodedInput in, int n, int w, byte[] dst, int at) {
    Parsed p = parse(in, n, w);
    if (p.span != null) {
      SpanBytes.decode(in.buffer(), p.span, n, w, dst, at);
      return;
    }
    in.buffer().get(p.from, dst, at, p.length);
    p.unfilter(dst, at, n, w);
  }

  /** Whether streams of {@code scheme} decode in place ({@link #decodeInPlace}): all but SPAN and SPAN_FOLD. */
  public static boolean decodesInPlace(int scheme) {
    return !isSpan(scheme);
  }

  /**
   * Parses a stream of n values of w bytes whose buffer is a writable heap buffer the caller
   * owns, decodes the values where the residuals lie, and returns where they start in
   * {@code in.buffer()} (a buffer index: {@code n * w} bytes from there).
   */
  public static int decodeInPlace(EncodedInput in, int n, int w) {
    ByteBuffer b = in.buffer();
    if (!b.hasArray() || b.isReadOnly()) {
      throw new IllegalArgumentException("in-place decoding needs a writable heap buffer");
    }
    Parsed p = parse(in, n, w);
    if (p.span != null) {
      throw new IllegalArgumentException(name(p.scheme) + " streams do not decode in place");
    }
    p.unfilter(b.array(), b.arrayOffset() + p.from, n, w);
    return p.from;
  }

  /**
   * Parses a stream of n values of w bytes in a direct buffer and, if it is {@link #UP},
   * {@link #SPAN} or {@link #SPAN_FOLD}, decodes the values into native memory at {@code dst} (valid for n*w bytes, not
   * overlapping the stream) and returns true; returns false for other schemes (nothing written:
   * decode those with {@link #decode}). The scan path's way: no heap array and no copy between.
   * For SPAN and SPAN_FOLD, {@link SpanBytes#PAD} bytes before the stream's first byte and after its last one
   * must be readable memory of the buffer's allocation (not checked).
   */
  public static boolean decodeInto(EncodedInput in, int n, int w, long dst) {
    ByteBuffer b = in.buffer();
    if (!b.isDirect()) {
      throw new IllegalArgumentException("needs a direct buffer");
    }
    Parsed p = parse(in, n, w);
    long base = org.apache.arrow.memory.util.MemoryUtil.getByteBufferAddress(b);
    if (p.scheme == UP) {
      UpBytes.unfilterInto(base + p.from, dst, n, w, p.stride);
      return true;
    }
    if (p.span != null) {
      SpanBytes.decodeInto(base + p.span.spans(), base + p.span.residuals(), base + p.span.end(), dst, n, w,
          p.stride, p.span.fold());
      return true;
    }
    return false;
  }

  /**
   * A parsed stream: scheme, stride and where its n*w bytes lie (for SPAN: where its spans and
   * residuals lie, in {@code span}).
   */
  private record Parsed(int scheme, int stride, int from, int length, SpanBytes.Parsed span) {
    void unfilter(byte[] d, int at, int n, int w) {
      switch (scheme) {
        case PAETH -> PaethBytes.unfilter(d, at, n, w, stride);
        case UP -> UpBytes.unfilter(d, at, n, w, stride);
        default -> { } // PLAIN
      }
    }
  }

  private static Parsed parse(EncodedInput in, int n, int w) {
    int id = in.u8("bytes scheme");
    long total = (long) n * w;
    int stride = 0;
    if (total > Integer.MAX_VALUE) {
      throw new MalformedEncodingException(n + " values of " + w + " bytes do not fit a block");
    }
    switch (id) {
      case SPAN, SPAN_FOLD -> {
        SpanBytes.Parsed span = SpanBytes.parse(in, n, w, id == SPAN_FOLD);
        return new Parsed(id, span.stride(), span.spans(), (int) total, span);
      }
      case PLAIN -> { }
      case PAETH, UP -> {
        long s = Varints.read(in, name(id) + " stride");
        if (s < 1 || s > w) {
          throw new MalformedEncodingException(name(id) + " stride " + Long.toUnsignedString(s) + " outside [1, " + w
              + "]");
        }
        stride = (int) s;
      }
      default -> throw new MalformedEncodingException("unknown bytes scheme " + id);
    }
    if (total > Integer.MAX_VALUE) {
      throw new MalformedEncodingException(n + " values of " + w + " bytes do not fit a block");
    }
    int from = in.skip(total, name(id) + " values");
    return new Parsed(id, stride, from, (int) total, null);
  }
}
