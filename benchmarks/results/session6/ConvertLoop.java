import dev.weft.cli.convert.Converter;
import dev.weft.format.Codec;
import java.nio.file.Path;
import java.util.List;
/** Steady-state conversions: the same Parquet file converted N times in one JVM (javac/java with the CLI jar and cli/target/lib on the class path; run as in RESULTS.md, session 6). */
public class ConvertLoop {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]);
    for (int i = 0; i < n; i++) {
      Converter.Options o = new Converter.Options(List.of(a[1]), Path.of(a[2]), true, 512L << 20, Codec.ZSTD, 2, null,
          false, true, null, false, false);
      long t = System.nanoTime();
      Converter.Result r = new Converter(o, System.err).run();
      System.out.printf("%d: %.3f s (reported %.3f)%n", i, (System.nanoTime() - t) / 1e9, r.seconds);
    }
  }
}
