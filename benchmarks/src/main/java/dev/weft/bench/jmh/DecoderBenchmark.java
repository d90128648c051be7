package dev.weft.bench.jmh;

import static dev.weft.bench.jmh.DecoderCases.BLOCK;

import dev.weft.format.encoding.BoolStreams;
import dev.weft.format.encoding.EncodedInput;
import dev.weft.format.encoding.IntDecoder;
import dev.weft.format.encoding.IntStreams;
import dev.weft.format.encoding.BytesStreams;
import dev.weft.format.encoding.StringStreams;
import java.nio.ByteBuffer;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode speed of every encoding of format-spec's {@code dev.weft.format.encoding}, on one thread
 * (one core), on a mini-block of {@link DecoderCases#BLOCK} values encoded in {@code @Setup} by
 * the format's own encoders ({@link DecoderCases}). Every score is in <b>values/s</b> (an
 * invocation counts as the values it returns, {@code @OperationsPerInvocation}); GB/s is values/s
 * times the Arrow bytes of one value ({@link DecoderTable} prints both).
 *
 * <ul>
 *   <li>{@code intDecode}: parse one block's integer stream (as the reader does for a block) and
 *       decode all its values into a {@code long[]};
 *   <li>{@code intGet}: {@value #GETS} single-value reads at seeded random positions of a block that
 *       is already parsed (what a take pays once the block's decoder exists; DELTA's first read
 *       of a block builds its prefix sums, later ones are O(1));
 *   <li>{@code intParseGet}: one cold single-value read: parse the block, read one value (a take
 *       of one row from a block not seen before); its score is reads/s;
 *   <li>{@code bytesDecode} (PAETH, UP, SPAN, SPAN_FOLD): parse and decode a block of 20 images of 784 bytes
 *       (the forks run with the Vector API, as the loader server does, so SPAN and SPAN_FOLD decode
 *       with 256-bit vectors; {@code -jvmArgsAppend -Dweft.vector=false} measures their SWAR decoders).
 *   <li>{@code stringDecode}, {@code boolDecode}: parse and decode a string stream into Arrow
 *       offsets and data, a bool stream into an Arrow bitmap (these streams have no single-value
 *       access: the reader decodes the block).
 * </ul>
 *
 * Run: {@code benchmarks/bin/weft-bench jmh DecoderBenchmark} (JMH's own output, values/s), or
 * {@code benchmarks/bin/weft-bench decoders [JMH options]} for the table with GB/s.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"})
public class DecoderBenchmark {
  /** Random single-value reads per {@code intGet} invocation. */
  public static final int GETS = 1024;

  /** An encoded integer stream, its parsed decoder and seeded random positions. */
  @State(Scope.Thread)
  public static class Ints {
    @Param({"PLAIN", "CONSTANT", "FOR", "FOR_EXCEPTIONS", "DELTA", "RLE", "DICTIONARY", "BYTE_STREAM_SPLIT_F32",
        "ALP_F64", "ALP_F32", "CASCADE"})
    public String encoding;

    ByteBuffer encoded;
    IntDecoder parsed;
    int[] positions;
    long[] out;
    int next;

    @Setup(Level.Trial)
    public void setUp() {
      DecoderCases.IntInput in = DecoderCases.ints(encoding);
      DecoderCases.verify(in);
      encoded = in.encoded();
      parsed = in.parse();
      parsed.get(0); // builds DELTA's prefix sums: intGet measures reads of a parsed block
      positions = new Random(7).ints(GETS, 0, BLOCK).toArray();
      out = new long[BLOCK];
    }
  }

  /** An encoded string stream. */
  @State(Scope.Thread)
  public static class Strings {
    @Param({"PLAIN", "DICTIONARY", "FSST"})
    public String encoding;

    ByteBuffer encoded;

    @Setup(Level.Trial)
    public void setUp() {
      DecoderCases.StringInput in = DecoderCases.strings(encoding);
      DecoderCases.verify(in);
      encoded = in.encoded();
    }
  }

  /** An encoded bool stream. */
  @State(Scope.Thread)
  public static class Bools {
    @Param({"BITMAP", "RUNS", "CONSTANT"})
    public String encoding;

    ByteBuffer encoded;

    @Setup(Level.Trial)
    public void setUp() {
      DecoderCases.BoolInput in = DecoderCases.bools(encoding);
      DecoderCases.verify(in);
      encoded = in.encoded();
    }
  }

  /** An encoded bytes stream of fixed-width values (images). */
  @State(Scope.Thread)
  public static class Bytes {
    @Param({"PAETH", "UP", "SPAN", "SPAN_FOLD"})
    public String encoding;

    ByteBuffer encoded;
    byte[] out;

    @Setup(Level.Trial)
    public void setUp() {
      DecoderCases.BytesInput in = DecoderCases.bytes(encoding);
      DecoderCases.verify(in);
      encoded = in.encoded();
      out = new byte[in.values().length];
    }
  }

  /** Parse + decode of a block of images ({@link DecoderCases#IMAGES} of 784 bytes); score: images/s. */
  @Benchmark
  @OperationsPerInvocation(DecoderCases.IMAGES)
  public byte[] bytesDecode(Bytes s) {
    BytesStreams.decode(input(s.encoded), DecoderCases.IMAGES, DecoderCases.IMAGE_BYTES, s.out, 0);
    return s.out;
  }

  private static EncodedInput input(ByteBuffer b) {
    return new EncodedInput(b, 0, b.limit());
  }

  /** Parse + full decode of one block; score: values/s. */
  @Benchmark
  @OperationsPerInvocation(BLOCK)
  public long[] intDecode(Ints s) {
    IntStreams.parse(input(s.encoded), BLOCK, 1).decode(0, BLOCK, s.out, 0);
    return s.out;
  }

  /** {@value #GETS} random reads of a parsed block; score: values/s. */
  @Benchmark
  @OperationsPerInvocation(GETS)
  public long intGet(Ints s) {
    IntDecoder d = s.parsed;
    int[] p = s.positions;
    long sum = 0;
    for (int i = 0; i < GETS; i++) {
      sum += d.get(p[i]);
    }
    return sum;
  }

  /** Parse a block and read one value; score: cold single-value reads/s. */
  @Benchmark
  public long intParseGet(Ints s) {
    int i = s.positions[s.next++ & (GETS - 1)];
    return IntStreams.parse(input(s.encoded), BLOCK, 1).get(i);
  }

  /** Parse + decode of a block of strings into offsets and data; score: strings/s. */
  @Benchmark
  @OperationsPerInvocation(BLOCK)
  public StringStreams.Strings stringDecode(Strings s) {
    return StringStreams.decode(input(s.encoded), BLOCK, 1);
  }

  /** Parse + decode of a block of bools into a bitmap; score: values/s. */
  @Benchmark
  @OperationsPerInvocation(BLOCK)
  public byte[] boolDecode(Bools s) {
    return BoolStreams.decode(input(s.encoded), BLOCK, 1);
  }
}
