package dev.weft.format.encoding;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.weft.format.MetaOutput;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Conformance of {@link SharedDictionary} (format 4.0): a column chunk's dictionary and one
 * block's codes into it, for integers and strings. The test frames them as
 * {@code VarInt dictionaryLength, VarInt numEntries, Dictionary, BlockMainStream} (the file keeps
 * the dictionary apart, found through its DictionaryMeta). Adversarial inputs: all equal, all
 * distinct, few distinct, type extremes, empty strings, strings of several MiB, one value.
 */
class SharedDictionaryTest extends EncodingConformanceTest<SharedDictionaryTest.Chunk> {
  /** A block's values: integers ({@code ints}) or strings. */
  record Chunk(long[] ints, List<byte[]> strings) {
    int size() {
      return ints != null ? ints.length : strings.size();
    }
  }

  @Override
  List<Input<Chunk>> inputs() {
    List<Input<Chunk>> all = new ArrayList<>();
    for (Input<long[]> in : IntCases.integers(8)) {
      all.add(new Input<>("int64 " + in.name(), new Chunk(in.data(), null)));
    }
    for (Input<long[]> in : IntCases.integers(2)) {
      all.add(new Input<>("int16 " + in.name(), new Chunk(in.data(), null)));
    }
    for (Input<long[]> in : IntCases.floatBits(4)) {
      all.add(new Input<>("float32 " + in.name(), new Chunk(in.data(), null)));
    }
    Random rnd = new Random(SEED);
    List<byte[]> empty = new ArrayList<>();
    List<byte[]> equal = new ArrayList<>();
    List<byte[]> distinct = new ArrayList<>();
    List<byte[]> few = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      empty.add(new byte[0]);
      equal.add(utf8("ATL"));
      distinct.add(utf8("value-" + i + "-" + rnd.nextInt()));
      few.add(utf8(new String[] {"", "ORD", "J\u00f6nk\u00f6ping", "\ud83d\ude00", "x"}[rnd.nextInt(5)]));
    }
    all.add(new Input<>("strings: empty strings", new Chunk(null, empty)));
    all.add(new Input<>("strings: all equal", new Chunk(null, equal)));
    all.add(new Input<>("strings: all distinct", new Chunk(null, distinct)));
    all.add(new Input<>("strings: few distinct, multi-byte UTF-8", new Chunk(null, few)));
    all.add(new Input<>("strings: one value", new Chunk(null, List.of(utf8("only")))));
    byte[] huge = new byte[3 << 20];
    rnd.nextBytes(huge);
    all.add(new Input<>("strings: several MiB", new Chunk(null, List.of(huge, new byte[0], huge, utf8("a")))));
    return all;
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Entries in order of first occurrence (as the writer before sampling) and each value's code. */
  private record Coded(byte[] dictionary, int entries, long[] codes) {}

  private static Coded code(Chunk c) {
    int n = c.size();
    long[] codes = new long[n];
    if (c.ints() != null) {
      Map<Long, Integer> ids = new HashMap<>();
      long[] entries = new long[n];
      for (int i = 0; i < n; i++) {
        long v = c.ints()[i];
        Integer id = ids.get(v);
        if (id == null) {
          id = ids.size();
          ids.put(v, id);
          entries[id] = v;
        }
        codes[i] = id;
      }
      return new Coded(SharedDictionary.encodeInts(entries, ids.size(), 8, false), ids.size(), codes);
    }
    Map<String, Integer> ids = new HashMap<>();
    java.io.ByteArrayOutputStream data = new java.io.ByteArrayOutputStream();
    int[] offsets = new int[n + 1];
    for (int i = 0; i < n; i++) {
      byte[] v = c.strings().get(i);
      String key = new String(v, StandardCharsets.ISO_8859_1);
      Integer id = ids.get(key);
      if (id == null) {
        id = ids.size();
        ids.put(key, id);
        data.writeBytes(v);
        offsets[id + 1] = data.size();
      }
      codes[i] = id;
    }
    return new Coded(SharedDictionary.encodeStrings(data.toByteArray(), offsets, ids.size()), ids.size(), codes);
  }

  @Override
  boolean encode(Chunk data, MetaOutput out) {
    if (data.size() == 0) {
      return false; // a dictionary has at least one entry; empty blocks are never encoded
    }
    Coded c = code(data);
    Varints.write(out, c.dictionary().length);
    Varints.write(out, c.entries());
    out.bytes(c.dictionary());
    SharedDictionary.encodeCodes(data.strings() != null, c.codes(), data.size(), false, out);
    return true;
  }

  /** Parses the framed dictionary and the block's codes; returns the dictionary and the codes. */
  private static Object[] parse(Chunk like, EncodedInput in) {
    long length = Varints.read(in, "test dictionary length");
    long entries = Varints.read(in, "test entries");
    if (length < 0 || length > Integer.MAX_VALUE || entries < 0 || entries > Integer.MAX_VALUE) {
      throw new MalformedEncodingException("bad test framing");
    }
    int at = in.skip(length, "dictionary");
    ByteBuffer raw = in.buffer().duplicate().position(at).limit(at + (int) length).slice().order(ByteOrder.LITTLE_ENDIAN);
    SharedDictionary d = SharedDictionary.parse(raw, like.strings() != null, (int) entries);
    IntDecoder codes = SharedDictionary.parseCodes(in, like.size());
    return new Object[] {d, codes};
  }

  @Override
  void checkDecoded(Chunk like, EncodedInput in, Random rnd) {
    Object[] p = parse(like, in);
    SharedDictionary d = (SharedDictionary) p[0];
    IntDecoder codes = (IntDecoder) p[1];
    int n = like.size();
    if (like.ints() != null) {
      IntDecoder values = d.values(codes);
      assertArrayEquals(like.ints(), values.decodeAll());
      for (int k = 0; k < 50; k++) {
        int i = rnd.nextInt(n);
        assertEquals(like.ints()[i], values.get(i), "value " + i);
        int len = rnd.nextInt(n - i + 1);
        long[] got = new long[len];
        values.decode(i, len, got, 0);
        assertArrayEquals(Arrays.copyOfRange(like.ints(), i, i + len), got);
      }
    } else {
      StringStreams.Strings s = d.strings(codes, n);
      for (int i = 0; i < n; i++) {
        assertArrayEquals(like.strings().get(i), Arrays.copyOfRange(s.data(), s.offsets()[i], s.offsets()[i + 1]),
            "string " + i);
      }
    }
  }

  @Override
  void readAll(Chunk like, EncodedInput in) {
    Object[] p = parse(like, in);
    SharedDictionary d = (SharedDictionary) p[0];
    IntDecoder codes = (IntDecoder) p[1];
    if (like.ints() != null) {
      d.values(codes).decodeAll();
    } else {
      d.strings(codes, like.size());
    }
  }

  @Test
  void codeOutOfRangeIsCorruption() {
    SharedDictionary d = SharedDictionary.ofInts(new long[] {7, 9});
    long[] codes = {0, 1, 2};
    MetaOutput out = new MetaOutput(16);
    SharedDictionary.encodeCodes(false, codes, 3, false, out);
    byte[] b = out.toByteArray();
    IntDecoder values = d.values(SharedDictionary.parseCodes(input(b), 3));
    assertEquals(9, values.get(1));
    assertThrows(MalformedEncodingException.class, () -> values.get(2));
    assertThrows(MalformedEncodingException.class, values::decodeAll);
    SharedDictionary s = SharedDictionary.ofStrings(new int[] {0, 1, 3}, utf8("abc"));
    MetaOutput so = new MetaOutput(16);
    SharedDictionary.encodeCodes(true, codes, 3, false, so);
    assertThrows(MalformedEncodingException.class, () -> s.strings(SharedDictionary.parseCodes(input(so.toByteArray()), 3), 3));
  }

  @Test
  void wrongCountsAndTruncationAreCorruption() {
    byte[] dict = SharedDictionary.encodeInts(new long[] {5, 6, 7}, 3, 8, false);
    ByteBuffer raw = ByteBuffer.wrap(dict).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(3, SharedDictionary.parse(raw, false, 3).size());
    assertThrows(MalformedEncodingException.class, () -> SharedDictionary.parse(raw, false, 4));
    assertThrows(MalformedEncodingException.class, () -> SharedDictionary.parse(raw, false, 2));
    assertThrows(MalformedEncodingException.class, () -> SharedDictionary.parse(raw, false, 0));
    assertThrows(MalformedEncodingException.class,
        () -> SharedDictionary.parse(ByteBuffer.wrap(Arrays.copyOf(dict, dict.length - 1)), false, 3));
    byte[] strings = SharedDictionary.encodeStrings(utf8("ATLORD"), new int[] {0, 3, 6}, 2);
    assertThrows(MalformedEncodingException.class,
        () -> SharedDictionary.parse(ByteBuffer.wrap(Arrays.copyOf(strings, strings.length - 2)), true, 2));
    assertThrows(MalformedEncodingException.class,
        () -> SharedDictionary.parse(ByteBuffer.wrap(strings), true, 3));
  }

  @Test
  void wrongKindOfDictionaryIsCorruption() {
    SharedDictionary ints = SharedDictionary.ofInts(new long[] {1});
    SharedDictionary strings = SharedDictionary.ofStrings(new int[] {0, 1}, utf8("a"));
    MetaOutput out = new MetaOutput(16);
    SharedDictionary.encodeCodes(false, new long[] {0}, 1, false, out);
    assertThrows(MalformedEncodingException.class,
        () -> strings.values(SharedDictionary.parseCodes(input(out.toByteArray()), 1)));
    assertThrows(MalformedEncodingException.class,
        () -> ints.strings(SharedDictionary.parseCodes(input(out.toByteArray()), 1), 1));
  }
}
