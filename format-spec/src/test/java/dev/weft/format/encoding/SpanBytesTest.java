package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.util.MemoryUtil;
import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link SpanBytes} (BytesStream SPAN, format 5.0): 28x28 images on a zero
 * background (the specialised decoder for rows of 28 bytes), objects touching the edges, single
 * pixels, empty and full images, all 0xFF, random bytes with and without zeros, widths that are not
 * squares, strides 1, 7, 12, 13 (a partial last row, the decoders' 8-byte lanes and byte tails) and
 * 255 (the largest), one value. Every input is decoded two ways that must agree: copied out
 * ({@link BytesStreams#decode}, the take path) and into native memory
 * ({@link BytesStreams#decodeInto}, the scan path, also with each of its two decoders for narrow rows:
 * SWAR and the Vector API's); corrupt streams must fail cleanly every way.
 */
class SpanBytesTest extends EncodingConformanceTest<SpanBytesTest.Values> {
  /** n values of w bytes, encoded with {@code stride} (0: the writer's, {@link PaethBytes#stride}). */
  record Values(byte[] bytes, int n, int w, int stride) {}

  /** Whether the scheme under test is SPAN_FOLD ({@link SpanFoldBytesTest}) rather than SPAN. */
  boolean fold() {
    return false;
  }

  /** The scheme under test. */
  final int scheme() {
    return fold() ? SpanBytes.SPAN_FOLD : SpanBytes.SPAN;
  }

  /** A span delta as the scheme under test stores it. */
  final byte coded(int d) {
    return fold() ? SpanBytes.zigzag(d) : (byte) d;
  }

  @Override
  List<Input<Values>> inputs() {
    Random rnd = new Random(SEED);
    List<Input<Values>> all = new ArrayList<>();
    int n = 40;
    byte[] image = new byte[n * 784];
    for (int i = 0; i < n; i++) {
      // an ellipse of texture on a zero background, a different size per image; image 0 fills the frame
      int rx = i == 0 ? 40 : 3 + rnd.nextInt(11);
      int ry = i == 0 ? 40 : 3 + rnd.nextInt(11);
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          double dx = (x - 13.5) / rx;
          double dy = (y - 13.5) / ry;
          if (dx * dx + dy * dy <= 1) {
            image[i * 784 + y * 28 + x] = (byte) (1 + (x * y + rnd.nextInt(5)) % 255);
          }
        }
      }
    }
    all.add(new Input<>("28x28 images on a zero background", new Values(image, n, 784, 0)));
    byte[] dots = new byte[n * 784];
    for (int i = 0; i < dots.length; i += 1 + rnd.nextInt(200)) {
      dots[i] = (byte) (1 + rnd.nextInt(255)); // single pixels, at row edges too
    }
    all.add(new Input<>("28x28 images of scattered pixels", new Values(dots, n, 784, 0)));
    all.add(new Input<>("28x28 images, all zero", new Values(new byte[n * 784], n, 784, 0)));
    byte[] ff = new byte[n * 784];
    Arrays.fill(ff, (byte) 0xFF);
    all.add(new Input<>("28x28 images, all 0xFF", new Values(ff, n, 784, 0)));
    byte[] random = new byte[n * 100];
    rnd.nextBytes(random);
    all.add(new Input<>("random bytes, width 100 (stride 10)", new Values(random, n, 100, 0)));
    byte[] sparse = new byte[n * 30];
    for (int i = 0; i < sparse.length; i++) {
      sparse[i] = rnd.nextInt(3) == 0 ? (byte) rnd.nextInt(256) : 0;
    }
    all.add(new Input<>("sparse bytes, width 30 (not a square: stride 30)", new Values(sparse, n, 30, 0)));
    all.add(new Input<>("sparse bytes, width 30, stride 1", new Values(sparse, n, 30, 1)));
    all.add(new Input<>("sparse bytes, width 30, stride 7", new Values(sparse, n, 30, 7)));
    all.add(new Input<>("sparse bytes, width 30, stride 12", new Values(sparse, n, 30, 12)));
    all.add(new Input<>("sparse bytes, width 30, stride 13", new Values(sparse, n, 30, 13)));
    // square images of every lane count and tail the narrow decoders take (strides 5, 16, 20, 32)
    for (int side : new int[] {5, 16, 20, 32}) {
      byte[] sq = new byte[n * side * side];
      for (int i = 0; i < sq.length; i++) {
        int x = i % side;
        sq[i] = x > side / 4 && x < side - 1 && rnd.nextInt(4) != 0 ? (byte) (1 + rnd.nextInt(255)) : 0;
      }
      all.add(new Input<>(side + "x" + side + " images (stride " + side + ")", new Values(sq, n, side * side, side)));
    }
    byte[] wide = new byte[4 * 600];
    for (int i = 0; i < wide.length; i++) {
      wide[i] = (i % 600) % 255 < 100 ? 0 : (byte) rnd.nextInt(256);
    }
    all.add(new Input<>("width 600, stride 255 (the largest)", new Values(wide, 4, 600, 255)));
    byte[] ends = new byte[n * 64];
    for (int i = 0; i < n * 8; i++) {
      ends[i * 8] = (byte) (i + 1); // the first and last byte of every row of 8
      ends[i * 8 + 7] = (byte) (255 - i);
    }
    all.add(new Input<>("rows of 8 whose ends are set, width 64", new Values(ends, n, 64, 0)));
    all.add(new Input<>("one value, width 9", new Values(new byte[] {0, 2, 0, 0, 0, 0, 7, 8, 0}, 1, 9, 0)));
    all.add(new Input<>("one value, width 3", new Values(new byte[] {(byte) 0xFF, 0, 1}, 1, 3, 0)));
    byte[] smooth = new byte[n * 784];
    for (int i = 0; i < smooth.length; i++) {
      int x = i % 28;
      int y = i % 784 / 28;
      smooth[i] = (byte) (60 + 3 * x + 2 * y + rnd.nextInt(3)); // no zero background: full spans
    }
    all.add(new Input<>("28x28 smooth images, no zero background", new Values(smooth, n, 784, 0)));
    return all;
  }

  private static int stride(Values v) {
    return v.stride() > 0 ? v.stride() : PaethBytes.stride(v.w());
  }

  @Override
  boolean encode(Values v, MetaOutput out) {
    SpanBytes.encode(v.bytes(), 0, v.n(), v.w(), stride(v), fold(), out);
    return true;
  }

  @Override
  void checkDecoded(Values like, EncodedInput in, Random rnd) {
    assertEquals(scheme(), in.buffer().get(in.position()), "scheme");
    int start = in.position();
    byte[] got = new byte[like.n() * like.w() + 3];
    BytesStreams.decode(in, like.n(), like.w(), got, 3);
    assertArrayEquals(like.bytes(), Arrays.copyOfRange(got, 3, got.length), "copied out");
    byte[] stream = new byte[in.position() - start];
    in.buffer().get(start, stream);
    for (boolean vector : new boolean[] {false, true}) {
      String way = vector ? "copied out, Vector API" : "copied out, SWAR";
      assertArrayEquals(like.bytes(), decodeHeap(stream, like, vector), way);
    }
    assertArrayEquals(like.bytes(), decodeNative(stream, like, true, null), "into native memory");
    assertArrayEquals(like.bytes(), decodeNative(stream, like, true, false), "into native memory, SWAR");
    assertArrayEquals(like.bytes(), decodeNative(stream, like, true, true), "into native memory, Vector API");
  }

  /**
   * The take path with one decoder: the stream alone in an array (no slack around it), decoded into
   * an array with guard bytes on both sides (3 before, 5 after), which must stay untouched.
   */
  private byte[] decodeHeap(byte[] stream, Values like, boolean vector) {
    int size = like.n() * like.w();
    byte[] out = new byte[3 + size + 5];
    Arrays.fill(out, (byte) 0x77);
    int id = stream.length > 0 ? stream[0] & 0xFF : -1;
    if (!BytesStreams.isSpan(id)) { // (a corrupt stream's scheme byte may be another's)
      BytesStreams.decode(input(stream), like.n(), like.w(), out, 3);
    } else {
      EncodedInput in = input(stream);
      in.u8("scheme");
      SpanBytes.Parsed p = SpanBytes.parse(in, like.n(), like.w(), id == SpanBytes.SPAN_FOLD);
      SpanBytes.decode(stream, p.spans(), p.residuals(), p.end(), like.n(), like.w(), p.stride(), p.fold(), out, 3,
          vector);
    }
    for (int g : new int[] {0, 1, 2, 3 + size, 4 + size, 5 + size, 6 + size, 7 + size}) {
      assertEquals((byte) 0x77, out[g], "a guard byte at " + g + " was overwritten");
    }
    return Arrays.copyOfRange(out, 3, 3 + size);
  }

  /**
   * The scan path: the stream in a direct buffer with {@link SpanBytes#PAD} bytes around it,
   * decoded by {@link BytesStreams#decodeInto} ({@code vector} null: the decoder this JVM picks),
   * or by {@link SpanBytes}' SWAR decoder or {@link SpanVectorDecoder} (for narrow rows).
   */
  private byte[] decodeNative(byte[] stream, Values like, boolean check, Boolean vector) {
    int pad = SpanBytes.PAD;
    ByteBuffer padded = ByteBuffer.allocateDirect(pad + stream.length + pad);
    padded.put(pad, stream);
    ByteBuffer block = padded.slice(pad, stream.length).order(ByteOrder.LITTLE_ENDIAN);
    int size = like.n() * like.w();
    ByteBuffer out = ByteBuffer.allocateDirect(size + 1);
    out.put(size, (byte) 0x77); // a guard byte after the values
    EncodedInput in = new EncodedInput(block, 0, stream.length);
    long dst = MemoryUtil.getByteBufferAddress(out);
    boolean decoded;
    int id = stream.length > 0 ? stream[0] & 0xFF : -1;
    if (vector == null || !BytesStreams.isSpan(id)) { // (a corrupt stream's scheme byte may be another's)
      decoded = BytesStreams.decodeInto(in, like.n(), like.w(), dst);
    } else {
      in.u8("scheme");
      SpanBytes.Parsed p = SpanBytes.parse(in, like.n(), like.w(), id == SpanBytes.SPAN_FOLD);
      long base = MemoryUtil.getByteBufferAddress(block);
      SpanBytes.decodeInto(base + p.spans(), base + p.residuals(), base + p.end(), dst, like.n(), like.w(),
          p.stride(), p.fold(), vector);
      decoded = true;
    }
    if (!check) {
      return null; // a corrupt stream: only a clean failure matters
    }
    assertTrue(decoded);
    in.expectEnd("SPAN stream");
    assertEquals((byte) 0x77, out.get(size), "wrote past the values");
    byte[] values = new byte[size];
    out.get(0, values);
    return values;
  }

  /** Decodes every way (copied out, and into native memory by each decoder): all must fail, or none. */
  @Override
  void readAll(Values like, EncodedInput in) {
    int start = in.position();
    byte[] stream = new byte[in.remaining()];
    in.buffer().get(start, stream);
    List<Runnable> ways = List.of(
        () -> BytesStreams.decode(in, like.n(), like.w(), new byte[like.n() * like.w()], 0),
        () -> decodeNative(stream, like, false, null),
        () -> decodeNative(stream, like, false, false),
        () -> decodeNative(stream, like, false, true),
        () -> decodeHeap(stream, like, false),
        () -> decodeHeap(stream, like, true));
    RuntimeException first = null;
    int failed = 0;
    for (Runnable way : ways) {
      try {
        way.run();
      } catch (RuntimeException e) {
        failed++;
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      assertEquals(ways.size(), failed, "some decoders accepted what others refused: " + first);
      throw first;
    }
  }

  /** The Vector API decoder runs in the tests' JVMs (surefire adds its module, as the loader server's launchers do). */
  @Test
  void testJvmHasTheVectorModule() {
    assertTrue(VectorDecoding.AVAILABLE, "the test JVM lacks --add-modules jdk.incubator.vector: " + VectorDecoding.status());
  }

  /** The worked example of {@link SpanBytes}' doc comment (and FORMAT.md). */
  byte[] workedExampleStream() {
    return new byte[] {18, 2, 1, 2, 0, 0, 7, 2};
  }

  @Test
  void workedExample() {
    MetaOutput out = new MetaOutput(8);
    BytesStreams.encode(new byte[] {0, 7, 0, 9}, 0, 1, 4, scheme(), out);
    assertArrayEquals(workedExampleStream(), out.toByteArray());
    byte[] got = new byte[4];
    BytesStreams.decode(input(workedExampleStream()), 1, 4, got, 0);
    assertArrayEquals(new byte[] {0, 7, 0, 9}, got);
  }

  @Test
  void badSpansAndResidualCounts() {
    Values one = new Values(null, 1, 4, 0);
    byte s = (byte) scheme();
    // span [1, 3) in a row of 2
    byte[] outside = {s, 2, coded(1), coded(3), 0, 0, 5, 6};
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(outside)));
    // start after end: [2, 1)
    byte[] reversed = {s, 2, coded(2), coded(1), 0, 0, 5};
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(reversed)));
    // a negative start: [-1, 1) (255 mod 256)
    byte[] negative = {s, 2, coded(-1), coded(1), 0, 0, 5, 6};
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(negative)));
    // spans call for 2 residuals, 3 follow; and 1
    byte[] extra = {s, 2, coded(1), coded(2), 0, 0, 7, 2, 9};
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(extra)));
    byte[] missing = {s, 2, coded(1), coded(2), 0, 0, 7};
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(missing)));
    // stride 0, above w, above 255; spans cut short
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(new byte[] {s, 0})));
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(new byte[] {s, 5, 0, 0})));
    MetaOutput big = new MetaOutput(8).u8(s);
    Varints.write(big, 256);
    big.bytes(new byte[2]);
    assertThrows(MalformedEncodingException.class, () -> readAll(new Values(null, 1, 300, 0), input(big.toByteArray())));
    assertThrows(MalformedEncodingException.class, () -> readAll(one, input(new byte[] {s, 2, 1})));
  }

  @Test
  void residualsWrapAroundAndBytesOutsideSpansAreZero() {
    // 255 above 1 (residual 2) and 1 above 255 (residual 254): sums mod 256, no carry
    byte[] v = new byte[16];
    for (int j = 1; j < 7; j++) {
      v[j] = (byte) (j % 2 == 0 ? 255 : 1);
      v[8 + j] = (byte) (j % 2 == 0 ? 1 : 255);
    }
    MetaOutput out = new MetaOutput(8);
    SpanBytes.encode(v, 0, 1, 16, 8, fold(), out);
    byte[] got = new byte[16];
    Arrays.fill(got, (byte) 0x55); // the decoder writes the zeros outside the spans
    BytesStreams.decode(input(out.toByteArray()), 1, 16, got, 0);
    assertArrayEquals(v, got);
  }

  @Test
  void applies() {
    int s = scheme();
    assertTrue(BytesStreams.applies(s, 784));
    assertTrue(!BytesStreams.applies(s, 300)); // stride 300: span bounds are bytes
    assertTrue(BytesStreams.applies(BytesStreams.UP, 300));
    assertEquals(fold() ? "SPAN_FOLD" : "SPAN",BytesStreams.name(s));
    assertTrue(BytesStreams.isBytesScheme(s) && BytesStreams.isSpan(s) && !BytesStreams.decodesInPlace(s));
    assertThrows(IllegalArgumentException.class, () -> BytesStreams.decodeInPlace(
        input(new byte[] {(byte) s, 2, 0, 0, 0, 0}), 1, 4));
  }
}
