package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.MetaOutput;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link FsstStrings} (string scheme FSST): empty strings, all equal, all distinct,
 * text of a small vocabulary, multi-byte UTF-8, random bytes (every byte escaped), strings of
 * several MiB, one value; every value decoded alone and all together; a damaged symbol table and
 * out-of-range codes fail cleanly.
 */
class FsstStringsTest extends EncodingConformanceTest<List<byte[]>> {
  private static final String[] WORDS = {"the", "weft", "file", "format", "random", "access", "columnar",
      "training", "data", "http://", ".com/", "index", "\u00e9t\u00e9", "\ud83d\ude00"};

  static List<byte[]> text(Random rnd, int n, int maxWords) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      StringBuilder sb = new StringBuilder();
      int k = rnd.nextInt(maxWords + 1);
      for (int j = 0; j < k; j++) {
        sb.append(j > 0 ? " " : "").append(WORDS[rnd.nextInt(WORDS.length)]);
      }
      out.add(sb.toString().getBytes(StandardCharsets.UTF_8));
    }
    return out;
  }

  @Override
  List<Input<List<byte[]>>> inputs() {
    Random rnd = new Random(SEED);
    List<Input<List<byte[]>>> all = new ArrayList<>();
    List<byte[]> empty = new ArrayList<>();
    List<byte[]> equal = new ArrayList<>();
    List<byte[]> distinct = new ArrayList<>();
    List<byte[]> random = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      empty.add(new byte[0]);
      equal.add("Amsterdam".getBytes(StandardCharsets.UTF_8));
      distinct.add(("user-" + i + "@example.com").getBytes(StandardCharsets.UTF_8));
      byte[] r = new byte[rnd.nextInt(12)];
      rnd.nextBytes(r);
      random.add(r);
    }
    all.add(new Input<>("empty strings", empty));
    all.add(new Input<>("all equal", equal));
    all.add(new Input<>("all distinct", distinct));
    all.add(new Input<>("text of a small vocabulary, multi-byte UTF-8", text(rnd, 2000, 12)));
    all.add(new Input<>("random bytes (escapes, 0xFF bytes)", random));
    all.add(new Input<>("one value", List.of("only".getBytes(StandardCharsets.UTF_8))));
    byte[] huge = new byte[3 << 20];
    byte[] word = "several MiB of text ".getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < huge.length; i++) {
      huge[i] = i % 7919 == 0 ? (byte) rnd.nextInt() : word[i % word.length];
    }
    all.add(new Input<>("strings of several MiB", List.of(huge, new byte[0], huge, "a".getBytes(StandardCharsets.UTF_8))));
    return all;
  }

  private static long[] lengths(List<byte[]> values) {
    long[] l = new long[values.size()];
    for (int i = 0; i < l.length; i++) {
      l[i] = values.get(i).length;
    }
    return l;
  }

  private static byte[] concat(List<byte[]> values) {
    ByteArrayOutputStream c = new ByteArrayOutputStream();
    values.forEach(c::writeBytes);
    return c.toByteArray();
  }

  @Override
  boolean encode(List<byte[]> data, MetaOutput out) {
    out.bytes(StringStreams.fsst(concat(data), lengths(data), data.size(), 1, IntCases.HINTS, true).toByteArray());
    return true;
  }

  @Override
  void checkDecoded(List<byte[]> like, EncodedInput in, Random rnd) {
    assertEquals(StringStreams.FSST, in.buffer().get(in.position()), "scheme");
    int start = in.position();
    StringStreams.Strings got = StringStreams.decode(in, like.size(), 1);
    for (int i = 0; i < like.size(); i++) {
      assertArrayEquals(like.get(i), Arrays.copyOfRange(got.data(), got.offsets()[i], got.offsets()[i + 1]), "string " + i);
    }
    // every value alone, from the table and its own codes
    EncodedInput again = new EncodedInput(in.buffer(), start + 1, in.limit());
    FsstStrings.Parsed p = FsstStrings.parse(again, like.size(), 1);
    for (int t = 0; t < Math.min(50, like.size()); t++) {
      int i = rnd.nextInt(like.size());
      assertArrayEquals(like.get(i), p.value(i), "string " + i + " alone");
    }
  }

  @Override
  void readAll(List<byte[]> like, EncodedInput in) {
    StringStreams.decode(in, like.size(), 1);
  }

  @Test
  void compressesText() {
    List<byte[]> t = text(new Random(SEED), 2000, 12);
    byte[] data = concat(t);
    MetaOutput f = StringStreams.fsst(data, lengths(t), t.size(), 1, IntCases.HINTS, false);
    assertTrue(f.size() < data.length * 0.6, "FSST of text: " + f.size() + " of " + data.length + " bytes");
  }

  @Test
  void randomBytesGiveUpEarly() {
    Random rnd = new Random(SEED);
    List<byte[]> t = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      byte[] r = new byte[10];
      rnd.nextBytes(r);
      t.add(r);
    }
    assertEquals(null, StringStreams.fsst(concat(t), lengths(t), t.size(), 1, IntCases.HINTS, false),
        "training stops where symbols do not compress");
  }

  @Test
  void selectedForTextWithoutAlignedWidths() {
    List<byte[]> t = text(new Random(SEED), 1000, 12);
    byte[] data = concat(t);
    MetaOutput out = new MetaOutput(64);
    encodeSelect(t, data, new IntStreams.Hints(8, false, false, false), out);
    assertEquals(StringStreams.FSST, out.toByteArray()[0], "unaligned selection picks FSST for text");
    MetaOutput aligned = new MetaOutput(64);
    encodeSelect(t, data, new IntStreams.Hints(8, false, true, false), aligned);
    assertTrue(aligned.toByteArray()[0] != StringStreams.FSST, "byte-aligned selection leaves FSST out");
  }

  private static void encodeSelect(List<byte[]> t, byte[] data, IntStreams.Hints h, MetaOutput out) {
    int n = t.size();
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * (n + 1) + data.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int off = 0;
    for (int i = 0; i < n; i++) {
      b.putInt(4 * i, off);
      off += t.get(i).length;
    }
    b.putInt(4 * n, off);
    b.put(4 * (n + 1), data);
    StringStreams.encode(b, 0, 4 * (n + 1), n, 1, h, out);
  }

  private static MetaOutput stream(int numSymbols, int[] symbolLengths, byte[] symbolBytes, int[] codeLengths, byte[] codes) {
    MetaOutput out = new MetaOutput(64).u8(StringStreams.FSST).u8(numSymbols);
    for (int l : symbolLengths) {
      out.u8(l);
    }
    out.bytes(symbolBytes);
    long[] cl = new long[codeLengths.length];
    for (int i = 0; i < cl.length; i++) {
      cl[i] = codeLengths[i];
    }
    IntStreams.encode(cl, cl.length, 2, IntCases.HINTS, out);
    out.bytes(codes);
    return out;
  }

  private static void decode(MetaOutput out, int n) {
    StringStreams.decode(input(out.toByteArray()), n, 1);
  }

  @Test
  void wellFormedHandMadeStream() {
    MetaOutput out = stream(1, new int[] {7}, "http://".getBytes(StandardCharsets.UTF_8), new int[] {3, 3},
        new byte[] {0, (byte) 0xFF, 'a', 0, (byte) 0xFF, 'b'});
    // the worked example of FORMAT.md and the class javadoc, byte for byte
    assertArrayEquals(new byte[] {2, 1, 7, 'h', 't', 't', 'p', ':', '/', '/', 1, 6, 0, (byte) 0xFF, 'a', 0, (byte) 0xFF, 'b'},
        out.toByteArray());
    StringStreams.Strings s = StringStreams.decode(input(out.toByteArray()), 2, 1);
    assertEquals("http://ahttp://b", new String(s.data(), StandardCharsets.UTF_8));
  }

  @Test
  void codeOutOfRange() {
    MetaOutput out = stream(1, new int[] {2}, "ab".getBytes(StandardCharsets.UTF_8), new int[] {2}, new byte[] {0, 1});
    MalformedEncodingException e = assertThrows(MalformedEncodingException.class, () -> decode(out, 1));
    assertTrue(e.getMessage().contains("outside the table"), e.getMessage());
  }

  @Test
  void escapeAtTheEndOfAValue() {
    MetaOutput out = stream(0, new int[0], new byte[0], new int[] {1, 1}, new byte[] {(byte) 0xFF, 'x'});
    assertThrows(MalformedEncodingException.class, () -> decode(out, 2));
  }

  @Test
  void damagedSymbolTable() {
    // a symbol length of 0 and one of 9
    assertThrows(MalformedEncodingException.class,
        () -> decode(stream(1, new int[] {0}, new byte[0], new int[] {0}, new byte[0]), 1));
    assertThrows(MalformedEncodingException.class,
        () -> decode(stream(1, new int[] {9}, new byte[9], new int[] {0}, new byte[0]), 1));
    // 255 symbols claimed but the table bytes are missing
    MetaOutput cut = new MetaOutput(8).u8(StringStreams.FSST).u8(255).u8(8);
    assertThrows(MalformedEncodingException.class, () -> decode(cut, 1));
    // code lengths past the codes
    assertThrows(MalformedEncodingException.class,
        () -> decode(stream(0, new int[0], new byte[0], new int[] {5}, new byte[] {(byte) 0xFF, 'a'}), 1));
  }

  /** Trainings reuse a per-thread pair-count array: a training after others learns what a fresh thread learns. */
  @Test
  void aTrainingAfterOthersOnTheThreadLearnsTheSameTable() throws Exception {
    Random rnd = new Random(7);
    List<List<byte[]>> blocks = List.of(text(rnd, 3000, 6), text(rnd, 500, 2), text(rnd, 3000, 9));
    FsstStrings.Table[] here = new FsstStrings.Table[blocks.size()];
    for (int b = 0; b < blocks.size(); b++) {
      here[b] = trainOn(blocks.get(b));
    }
    for (int b = 0; b < blocks.size(); b++) {
      List<byte[]> block = blocks.get(b);
      FsstStrings.Table[] fresh = new FsstStrings.Table[1];
      Thread t = new Thread(() -> fresh[0] = trainOn(block));
      t.start();
      t.join();
      assertArrayEquals(fresh[0].symbols(), here[b].symbols(), "block " + b);
      assertArrayEquals(fresh[0].lengths(), here[b].lengths(), "block " + b);
    }
  }

  private static FsstStrings.Table trainOn(List<byte[]> block) {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    long[] lengths = new long[block.size()];
    for (int i = 0; i < block.size(); i++) {
      all.writeBytes(block.get(i));
      lengths[i] = block.get(i).length;
    }
    return FsstStrings.train(all.toByteArray(), lengths, block.size());
  }
}
