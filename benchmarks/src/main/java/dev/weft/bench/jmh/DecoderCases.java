package dev.weft.bench.jmh;

import dev.weft.format.MetaOutput;
import dev.weft.format.encoding.AlpFloats;
import dev.weft.format.encoding.BoolStreams;
import dev.weft.format.encoding.ByteStreamSplit;
import dev.weft.format.encoding.ConstantInts;
import dev.weft.format.encoding.DeltaInts;
import dev.weft.format.encoding.DictionaryInts;
import dev.weft.format.encoding.EncodedInput;
import dev.weft.format.encoding.ForBitPacked;
import dev.weft.format.encoding.IntDecoder;
import dev.weft.format.encoding.IntStreams;
import dev.weft.format.encoding.PlainInts;
import dev.weft.format.encoding.RunLengthInts;
import dev.weft.format.encoding.BytesStreams;
import dev.weft.format.encoding.StringStreams;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

/**
 * The inputs of {@link DecoderBenchmark}: one mini-block of {@link #BLOCK} values per encoding,
 * seeded data shaped for it (sorted ids for DELTA, runs for RLE, few distinct values for
 * DICTIONARY, decimals for ALP...), encoded by format-spec's own encoders into a direct
 * little-endian buffer (as a memory-mapped file gives the reader). Nothing here decodes: the
 * benchmark calls the format's decoders on these bytes.
 */
public final class DecoderCases {
  /** Values per mini-block. */
  public static final int BLOCK = 4096;
  private static final long SEED = 42;
  private static final IntStreams.Hints INTS = IntStreams.Hints.integers(8);

  private DecoderCases() {}

  /**
   * An encoded integer (or float bit pattern) stream.
   *
   * @param expectedScheme the top scheme id the bytes must start with
   * @param width byte width of one decoded value in Arrow (8 for int64/float64, 4 for float32):
   *     the GB/s of a decode are values/s times this
   */
  public record IntInput(String name, ByteBuffer encoded, long[] values, int expectedScheme, int width) {
    /** Parses the stream as the reader does (top level of a block). */
    public IntDecoder parse() {
      return IntStreams.parse(new EncodedInput(encoded, 0, encoded.limit()), values.length, 1);
    }
  }

  /** An encoded string stream; {@code offsets}/{@code data} are the strings it must decode to. */
  public record StringInput(String name, ByteBuffer encoded, int[] offsets, byte[] data, int expectedScheme) {
    public StringStreams.Strings decode() {
      return StringStreams.decode(new EncodedInput(encoded, 0, encoded.limit()), offsets.length - 1, 1);
    }

    /** Arrow bytes per decoded string: a 4-byte offset and the string's bytes on average. */
    public double bytesPerValue() {
      return 4.0 + (double) data.length / (offsets.length - 1);
    }
  }

  /** An encoded bool stream; {@code bits} is the LSB-first bitmap it must decode to. */
  public record BoolInput(String name, ByteBuffer encoded, byte[] bits, int expectedScheme) {
    public byte[] decode() {
      return BoolStreams.decode(new EncodedInput(encoded, 0, encoded.limit()), BLOCK, 1);
    }
  }

  private static ByteBuffer direct(MetaOutput out) {
    byte[] b = out.toByteArray();
    ByteBuffer d = ByteBuffer.allocateDirect(b.length).order(ByteOrder.LITTLE_ENDIAN);
    d.put(b).flip();
    return d;
  }

  /**
   * The integer cases: PLAIN (random int64, the baseline), CONSTANT, FOR (12-bit spread),
   * FOR_EXCEPTIONS (the same with 1% 40-bit outliers), DELTA (sorted ids, gaps 1-16), RLE (runs of
   * 1-64), DICTIONARY (50 distinct 40-bit ids), BYTE_STREAM_SPLIT_F32 (Gaussian float32), ALP_F64
   * and ALP_F32 (prices with 2 decimals, 1% exceptions: NaN, -0.0, values with more decimals),
   * CASCADE (repeated minute timestamps, encoded by {@link IntStreams}' own selection: RLE whose
   * run values cascade into DELTA and FOR, three levels).
   */
  public static IntInput ints(String name) {
    Random r = new Random(SEED);
    long[] v = new long[BLOCK];
    MetaOutput out = new MetaOutput(64);
    int scheme;
    int width = 8;
    switch (name) {
      case "PLAIN" -> {
        for (int i = 0; i < BLOCK; i++) {
          v[i] = r.nextLong();
        }
        PlainInts.encode(v, BLOCK, 8, out);
        scheme = PlainInts.ID;
      }
      case "CONSTANT" -> {
        Arrays.fill(v, 1_700_000_000_000L);
        ConstantInts.encode(v[0], out);
        scheme = ConstantInts.ID;
      }
      case "FOR", "FOR_EXCEPTIONS" -> {
        for (int i = 0; i < BLOCK; i++) {
          v[i] = 1_000_000 + r.nextInt(4096);
        }
        boolean exceptions = name.equals("FOR_EXCEPTIONS");
        if (exceptions) {
          for (int k = 0; k < BLOCK / 100; k++) {
            v[r.nextInt(BLOCK)] = (1L << 40) + r.nextInt(1 << 30);
          }
        }
        ForBitPacked.encode(v, BLOCK, 1, exceptions, INTS, out);
        scheme = ForBitPacked.ID;
      }
      case "DELTA" -> {
        long x = 10_000_000_000L;
        for (int i = 0; i < BLOCK; i++) {
          x += 1 + r.nextInt(16);
          v[i] = x;
        }
        DeltaInts.encode(v, BLOCK, 1, INTS, out);
        scheme = DeltaInts.ID;
      }
      case "RLE" -> {
        for (int i = 0; i < BLOCK; ) {
          long x = r.nextInt(1000);
          for (int len = 1 + r.nextInt(64); len > 0 && i < BLOCK; len--) {
            v[i++] = x;
          }
        }
        RunLengthInts.encode(v, BLOCK, 1, INTS, out);
        scheme = RunLengthInts.ID;
      }
      case "DICTIONARY" -> {
        long[] ids = new long[50];
        for (int k = 0; k < ids.length; k++) {
          ids[k] = r.nextLong() >>> 24;
        }
        for (int i = 0; i < BLOCK; i++) {
          v[i] = ids[r.nextInt(ids.length)];
        }
        DictionaryInts.encode(v, BLOCK, LongStream.of(v).distinct().sorted().toArray(), 1, INTS, out);
        scheme = DictionaryInts.ID;
      }
      case "BYTE_STREAM_SPLIT_F32" -> {
        width = 4;
        for (int i = 0; i < BLOCK; i++) {
          v[i] = Float.floatToRawIntBits((float) r.nextGaussian());
        }
        ByteStreamSplit.encode(v, BLOCK, 4, 1, new IntStreams.Hints(4, true, false, false), out);
        scheme = ByteStreamSplit.ID;
      }
      case "ALP_F64", "ALP_F32" -> {
        width = name.equals("ALP_F64") ? 8 : 4;
        for (int i = 0; i < BLOCK; i++) {
          double price = Math.round(r.nextDouble() * 100_000) / 100.0;
          if (i % 100 == 7) { // 1% exceptions
            price = switch (r.nextInt(3)) {
              case 0 -> Double.NaN;
              case 1 -> -0.0;
              default -> Math.PI * r.nextDouble();
            };
          }
          v[i] = width == 8 ? Double.doubleToRawLongBits(price) : Float.floatToRawIntBits((float) price);
        }
        if (!AlpFloats.encode(v, BLOCK, width, 1, new IntStreams.Hints(width, true, false, false), out)) {
          throw new IllegalStateException("ALP refused " + name);
        }
        scheme = AlpFloats.ID;
      }
      case "CASCADE" -> {
        long t = 1_700_000_000_000_000L; // microseconds
        for (int i = 0; i < BLOCK; ) {
          for (int len = 1 + r.nextInt(16); len > 0 && i < BLOCK; len--) {
            v[i++] = t;
          }
          t += 60_000_000L * (1 + r.nextInt(4));
        }
        IntStreams.encode(v, BLOCK, 1, INTS, out);
        scheme = RunLengthInts.ID;
      }
      default -> throw new IllegalArgumentException("unknown integer case " + name);
    }
    return new IntInput(name, direct(out), v, scheme, width);
  }

  /**
   * The string cases: PLAIN (random lowercase words of 3-14 letters, nearly all distinct),
   * DICTIONARY (the same drawn from 100 words) and FSST (format 3.0: phrases of 1-6 words drawn
   * from those 100, joined by spaces, as text columns hold).
   */
  public static StringInput strings(String name) {
    Random r = new Random(SEED);
    boolean fsst = name.equals("FSST");
    boolean dict = switch (name) {
      case "PLAIN" -> false;
      case "DICTIONARY", "FSST" -> true;
      default -> throw new IllegalArgumentException("unknown string case " + name);
    };
    String[] vocabulary = new String[dict ? 100 : BLOCK];
    for (int k = 0; k < vocabulary.length; k++) {
      char[] c = new char[3 + r.nextInt(12)];
      for (int j = 0; j < c.length; j++) {
        c[j] = (char) ('a' + r.nextInt(26));
      }
      vocabulary[k] = new String(c);
    }
    int[] offsets = new int[BLOCK + 1];
    StringBuilder all = new StringBuilder();
    for (int i = 0; i < BLOCK; i++) {
      if (fsst) {
        for (int w = 1 + r.nextInt(6); w > 0; w--) {
          all.append(vocabulary[r.nextInt(vocabulary.length)]).append(w > 1 ? " " : "");
        }
      } else {
        all.append(dict ? vocabulary[r.nextInt(vocabulary.length)] : vocabulary[i]);
      }
      offsets[i + 1] = all.length();
    }
    byte[] data = all.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    ByteBuffer in = ByteBuffer.allocate(4 * (BLOCK + 1) + data.length).order(ByteOrder.LITTLE_ENDIAN);
    for (int o : offsets) {
      in.putInt(o);
    }
    in.put(data);
    int scheme = fsst ? StringStreams.FSST : dict ? StringStreams.DICTIONARY : StringStreams.PLAIN;
    MetaOutput out = new MetaOutput(64);
    StringStreams.encode(in, 0, 4 * (BLOCK + 1), BLOCK, 1, INTS, out, scheme);
    return new StringInput(name, direct(out), offsets, data, scheme);
  }

  /** Images per PAETH block: 20 of 784 bytes fill a 16 KiB mini-block, as Fashion-MNIST's do. */
  public static final int IMAGES = 20;
  /** Bytes per image of the PAETH case (28 x 28). */
  public static final int IMAGE_BYTES = 784;

  /** An encoded bytes stream of {@link #IMAGES} images; {@code values} is what it must decode to. */
  public record BytesInput(String name, ByteBuffer encoded, byte[] values) {
    public byte[] decode() {
      byte[] out = new byte[values.length];
      BytesStreams.decode(new EncodedInput(encoded, 0, encoded.limit()), IMAGES, IMAGE_BYTES, out, 0);
      return out;
    }
  }

  /**
   * The bytes cases PAETH (format 3.0), UP (4.0), SPAN (5.0) and SPAN_FOLD (6.0): {@link #IMAGES} synthetic 28 x 28 grey images
   * (a blurred blob on a black background, with noise), as fixed_size_binary(784) holds them.
   */
  public static BytesInput bytes(String name) {
    int scheme = switch (name) {
      case "PAETH" -> BytesStreams.PAETH;
      case "UP" -> BytesStreams.UP;
      case "SPAN" -> BytesStreams.SPAN;
      case "SPAN_FOLD" -> BytesStreams.SPAN_FOLD;
      default -> throw new IllegalArgumentException("unknown bytes case " + name);
    };
    Random r = new Random(SEED);
    byte[] v = new byte[IMAGES * IMAGE_BYTES];
    for (int i = 0; i < IMAGES; i++) {
      double cx = 8 + r.nextInt(12);
      double cy = 8 + r.nextInt(12);
      double rad = 4 + r.nextInt(6);
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          double d = Math.hypot(x - cx, y - cy) / rad;
          int px = d >= 1 ? 0 : (int) (255 * (1 - d * d)) + r.nextInt(5);
          v[i * IMAGE_BYTES + 28 * y + x] = (byte) Math.min(255, px);
        }
      }
    }
    MetaOutput out = new MetaOutput(64);
    BytesStreams.encode(v, 0, IMAGES, IMAGE_BYTES, scheme, out);
    return new BytesInput(name, direct(out), v);
  }

  public static void verify(BytesInput in) {
    check(in.name(), in.encoded().get(0) & 0xFF, switch (in.name()) {
      case "UP" -> BytesStreams.UP;
      case "SPAN" -> BytesStreams.SPAN;
      case "SPAN_FOLD" -> BytesStreams.SPAN_FOLD;
      default -> BytesStreams.PAETH;
    });
    if (!Arrays.equals(in.decode(), in.values())) {
      throw new IllegalStateException(in.name() + ": decoded bytes differ from the input");
    }
  }

  /**
   * The bool cases, as the selector picks them: BITMAP (random bits), RUNS (a validity bitmap with
   * a few runs of nulls, about 1 in 40 values null) and CONSTANT (all valid).
   */
  public static BoolInput bools(String name) {
    Random r = new Random(SEED);
    byte[] bits = new byte[BLOCK / 8];
    int scheme;
    switch (name) {
      case "BITMAP" -> {
        r.nextBytes(bits);
        scheme = BoolStreams.BITMAP;
      }
      case "RUNS" -> {
        Arrays.fill(bits, (byte) 0xFF);
        for (int i = 200 + r.nextInt(400); i < BLOCK; i += 200 + r.nextInt(400)) {
          for (int len = 1 + r.nextInt(20); len > 0 && i < BLOCK; len--, i++) {
            bits[i >>> 3] &= (byte) ~(1 << (i & 7));
          }
        }
        scheme = BoolStreams.RUNS;
      }
      case "CONSTANT" -> {
        Arrays.fill(bits, (byte) 0xFF);
        scheme = BoolStreams.CONSTANT;
      }
      default -> throw new IllegalArgumentException("unknown bool case " + name);
    }
    MetaOutput out = new MetaOutput(64);
    BoolStreams.encode(ByteBuffer.wrap(bits), 0, BLOCK, 1, INTS, out);
    return new BoolInput(name, direct(out), bits, scheme);
  }

  /** Checks that the bytes start with the expected scheme and decode to the input (else throws). */
  public static void verify(IntInput in) {
    check(in.name(), in.encoded().get(0) & 0xFF, in.expectedScheme());
    IntDecoder d = in.parse();
    if (!Arrays.equals(d.decodeAll(), in.values())) {
      throw new IllegalStateException(in.name() + ": decode differs from the input");
    }
    for (int i = 0; i < BLOCK; i += 97) {
      if (d.get(i) != in.values()[i]) {
        throw new IllegalStateException(in.name() + ": get(" + i + ") differs from the input");
      }
    }
    boolean wantsExceptions = in.name().equals("FOR_EXCEPTIONS") || in.name().startsWith("ALP");
    if (wantsExceptions && !describe(d).contains("exceptions")) {
      throw new IllegalStateException(in.name() + ": encoded without exceptions: " + describe(d));
    }
  }

  public static void verify(StringInput in) {
    check(in.name(), in.encoded().get(0) & 0xFF, in.expectedScheme());
    StringStreams.Strings s = in.decode();
    if (!Arrays.equals(s.offsets(), in.offsets()) || !Arrays.equals(s.data(), in.data())) {
      throw new IllegalStateException(in.name() + ": decoded strings differ from the input");
    }
  }

  public static void verify(BoolInput in) {
    check(in.name(), in.encoded().get(0) & 0xFF, in.expectedScheme());
    if (!Arrays.equals(in.decode(), in.bits())) {
      throw new IllegalStateException(in.name() + ": decoded bits differ from the input");
    }
  }

  private static void check(String name, int scheme, int expected) {
    if (scheme != expected) {
      throw new IllegalStateException(name + ": encoded as scheme " + scheme + ", expected " + expected);
    }
  }

  /** The scheme tree of a parsed integer stream, e.g. {@code RLE(700 runs, values DELTA)}. */
  public static String describe(IntDecoder d) {
    if (d instanceof PlainInts.Decoder p) {
      return "PLAIN(" + p.width() + " B)";
    }
    if (d instanceof ConstantInts.Decoder) {
      return "CONSTANT";
    }
    if (d instanceof ForBitPacked.Decoder f) {
      return "FOR(" + f.bits() + " bits" + (f.scale() != 1 ? ", scale " + f.scale() : "")
          + (f.exceptionPositions() == null ? ""
              : ", " + f.exceptionPositions().length + " exceptions " + describe(f.exceptionValues())) + ")";
    }
    if (d instanceof DeltaInts.Decoder) {
      return "DELTA";
    }
    if (d instanceof RunLengthInts.Decoder rle) {
      return "RLE(" + rle.ends().length + " runs, values " + describe(rle.values()) + ")";
    }
    if (d instanceof DictionaryInts.Decoder dict) {
      return "DICTIONARY(" + dict.entries().length + " entries, codes " + describe(dict.codes()) + ")";
    }
    if (d instanceof ByteStreamSplit.Decoder b) {
      List<String> s = new ArrayList<>();
      for (IntDecoder k : b.streams()) {
        s.add(describe(k));
      }
      return "BYTE_STREAM_SPLIT(" + String.join(", ", s) + ")";
    }
    if (d instanceof AlpFloats.Decoder a) {
      return "ALP(e " + a.exponent() + ", f " + a.factor() + ", digits " + describe(a.digits())
          + (a.exceptionPositions() == null ? "" : ", " + a.exceptionPositions().length + " exceptions") + ")";
    }
    return d.getClass().getSimpleName();
  }
}
