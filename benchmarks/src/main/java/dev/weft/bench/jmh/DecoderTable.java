package dev.weft.bench.jmh;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link DecoderBenchmark} with the given JMH options and prints a Markdown table of each
 * decoder's values/s and GB/s per core (decoded Arrow bytes: 8 per int64/float64, 4 per float32,
 * a 4-byte offset plus the bytes of each string, 1/8 per bool), with each case's scheme tree and
 * encoded bits per value.
 *
 * <pre>
 * benchmarks/bin/weft-bench decoders -f 1 -wi 2 -i 3 -w 1s -r 1s
 * java --add-opens=java.base/java.nio=ALL-UNNAMED -cp benchmarks/target/benchmarks.jar \
 *     dev.weft.bench.jmh.DecoderTable [JMH options] [benchmark regexp]
 * </pre>
 *
 * Without a benchmark regexp it runs all of {@code DecoderBenchmark}.
 */
public final class DecoderTable {
  private DecoderTable() {}

  public static void main(String[] args) throws Exception {
    CommandLineOptions cli = new CommandLineOptions(args);
    ChainedOptionsBuilder options = new OptionsBuilder().parent(cli);
    if (cli.getIncludes().isEmpty()) {
      options.include(DecoderBenchmark.class.getSimpleName());
    }
    Collection<RunResult> results = new Runner(options.build()).run();
    System.out.println();
    print(results, System.out);
  }

  /** One row of the table. */
  record Row(String method, String encoding, String scheme, double encodedBitsPerValue, double bytesPerValue,
      double score, double error) {}

  static Row row(String method, String encoding, double score, double error) {
    String scheme;
    double bits;
    double bytes;
    switch (method) {
      case "stringDecode" -> {
        DecoderCases.StringInput in = DecoderCases.strings(encoding);
        scheme = encoding;
        bits = in.encoded().limit() * 8.0 / DecoderCases.BLOCK;
        bytes = in.bytesPerValue();
      }
      case "bytesDecode" -> {
        DecoderCases.BytesInput in = DecoderCases.bytes(encoding);
        scheme = encoding;
        bits = in.encoded().limit() * 8.0 / DecoderCases.IMAGES;
        bytes = DecoderCases.IMAGE_BYTES;
      }
      case "boolDecode" -> {
        DecoderCases.BoolInput in = DecoderCases.bools(encoding);
        scheme = encoding;
        bits = in.encoded().limit() * 8.0 / DecoderCases.BLOCK;
        bytes = 1.0 / 8;
      }
      default -> {
        DecoderCases.IntInput in = DecoderCases.ints(encoding);
        scheme = DecoderCases.describe(in.parse());
        bits = in.encoded().limit() * 8.0 / DecoderCases.BLOCK;
        bytes = in.width();
      }
    }
    return new Row(method, encoding, scheme, bits, bytes, score, error);
  }

  static void print(Collection<RunResult> results, PrintStream out) {
    List<Row> rows = new ArrayList<>();
    for (RunResult r : results) {
      String benchmark = r.getParams().getBenchmark();
      String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
      Result<?> p = r.getPrimaryResult();
      rows.add(row(method, r.getParams().getParam("encoding"), p.getScore(), p.getScoreError()));
    }
    print(rows, out);
  }

  static void print(List<Row> rows, PrintStream out) {
    out.println("| benchmark | case | scheme (as encoded) | encoded bits/value | decoded B/value "
        + "| M values/s | ± | GB/s |");
    out.println("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |");
    for (Row r : rows) {
      out.println(String.format(Locale.ROOT, "| %s | %s | %s | %.2f | %.3g | %s | %s | %s |", r.method(),
          r.encoding(), r.scheme(), r.encodedBitsPerValue(), r.bytesPerValue(), number(r.score() / 1e6),
          Double.isNaN(r.error()) ? "n/a" : number(r.error() / 1e6), number(r.score() * r.bytesPerValue() / 1e9)));
    }
  }

  /** Plain notation, about 3 significant digits: 12345, 123, 12.3, 1.23, 0.0123. */
  static String number(double x) {
    if (Math.abs(x) >= 100) {
      return String.format(Locale.ROOT, "%.0f", x);
    }
    if (Math.abs(x) >= 1) {
      return String.format(Locale.ROOT, "%.1f", x);
    }
    return new java.math.BigDecimal(x).round(new java.math.MathContext(3)).stripTrailingZeros().toPlainString();
  }
}
