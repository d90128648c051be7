package dev.weft.bench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/**
 * Every case of {@link DecoderBenchmark} is encoded with the scheme it is named after (and
 * with exceptions where it says so) and decodes to its input; each benchmark method returns the
 * input's values. No timing.
 */
class DecoderBenchmarkTest {
  private static String[] params(Class<?> state) throws Exception {
    return state.getField("encoding").getAnnotation(Param.class).value();
  }

  @Test
  void everyIntegerCaseRoundTripsThroughItsScheme() throws Exception {
    DecoderBenchmark bench = new DecoderBenchmark();
    for (String name : params(DecoderBenchmark.Ints.class)) {
      DecoderCases.IntInput in = DecoderCases.ints(name);
      DecoderCases.verify(in); // scheme byte, decodeAll, get, exceptions present
      DecoderBenchmark.Ints s = new DecoderBenchmark.Ints();
      s.encoding = name;
      s.setUp();
      assertTrue(java.util.Arrays.equals(in.values(), bench.intDecode(s)), name);
      long sum = 0;
      for (int p : s.positions) {
        sum += in.values()[p];
      }
      assertEquals(sum, bench.intGet(s), name);
      assertEquals(in.values()[s.positions[0]], bench.intParseGet(s), name);
    }
    String cascade = DecoderCases.describe(DecoderCases.ints("CASCADE").parse());
    assertTrue(cascade.startsWith("RLE(") && cascade.contains("DELTA"), cascade);
  }

  @Test
  void everyStringAndBoolCaseRoundTrips() throws Exception {
    DecoderBenchmark bench = new DecoderBenchmark();
    for (String name : params(DecoderBenchmark.Strings.class)) {
      DecoderBenchmark.Strings s = new DecoderBenchmark.Strings();
      s.encoding = name;
      s.setUp(); // verifies the scheme and the decoded strings
      assertEquals(DecoderCases.BLOCK, bench.stringDecode(s).offsets().length - 1, name);
    }
    for (String name : params(DecoderBenchmark.Bools.class)) {
      DecoderBenchmark.Bools s = new DecoderBenchmark.Bools();
      s.encoding = name;
      s.setUp();
      assertTrue(java.util.Arrays.equals(DecoderCases.bools(name).bits(), bench.boolDecode(s)), name);
    }
    for (String name : params(DecoderBenchmark.Bytes.class)) {
      DecoderBenchmark.Bytes s = new DecoderBenchmark.Bytes();
      s.encoding = name;
      s.setUp(); // verifies the scheme and the decoded images
      assertTrue(java.util.Arrays.equals(DecoderCases.bytes(name).values(), bench.bytesDecode(s)), name);
    }
  }

  @Test
  void tableStatesValuesAndGigabytesPerSecond() {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DecoderTable.print(List.of(DecoderTable.row("intDecode", "FOR", 2e9, 1e7)),
        new PrintStream(b, true, StandardCharsets.UTF_8));
    String table = b.toString(StandardCharsets.UTF_8);
    // 2e9 int64 values/s = 16 GB/s; FOR of 12-bit values
    assertTrue(table.contains("| intDecode | FOR | FOR(12 bits) | 12.0"), table);
    assertTrue(table.contains("| 2000 | 10.0 | 16.0 |"), table);
    assertEquals("0.0123", DecoderTable.number(0.012345));
    assertEquals("123457", DecoderTable.number(123456.7));
  }
}
