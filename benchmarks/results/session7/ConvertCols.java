import dev.weft.cli.convert.Converter;
import dev.weft.format.Codec;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.List;

/**
 * Steady-state conversions: one Parquet file converted N times in one JVM, optionally only some
 * columns (a column's own cost: each column's writer state is its own), with T threads; prints
 * the second half's wall and process CPU seconds per conversion. Run as in RESULTS.md, session 7
 * (ab.sh runs two builds alternately).
 *
 *   java ... ConvertCols N SRC.parquet OUT.weft [COLUMNS|all] [THREADS]
 */
public class ConvertCols {
  public static void main(String[] a) throws Exception {
    int n = Integer.parseInt(a[0]);
    List<String> cols = a.length > 3 && !a[3].equals("all") ? List.of(a[3].split(",")) : null;
    int threads = a.length > 4 ? Integer.parseInt(a[4]) : 2;
    OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    for (int i = 0; i < n; i++) {
      Converter.Options o = new Converter.Options(List.of(a[1]), Path.of(a[2]), true, 512L << 20, Codec.ZSTD, threads,
          cols, false, true, null, false, false);
      long c0 = os.getProcessCpuTime();
      long t = System.nanoTime();
      new Converter(o, System.err).run();
      double s = (System.nanoTime() - t) / 1e9;
      double cpu = (os.getProcessCpuTime() - c0) / 1e9;
      if (i >= n / 2) {
        System.out.printf("%s %d: %.3f s cpu %.3f%n", a.length > 3 ? a[3] : "all", i, s, cpu);
      }
    }
  }
}
