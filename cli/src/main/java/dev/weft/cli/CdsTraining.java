package dev.weft.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The training run of {@code bin/weft}'s class-data sharing archive: the launcher runs this once
 * per build with {@code -XX:ArchiveClassesAtExit}, and later commands start from the archive
 * (classes already parsed and verified, lambda and method-handle classes already generated).
 *
 * <p>It converts a small bundled Parquet file (the common column types, nested ones too) with the
 * same options the launcher's users pass most, then inspects, verifies and prints it, so that the
 * classes those commands load are in the archive. Everything happens in a temporary directory
 * that is deleted; output is discarded. Exits 0 even if a step fails (the archive is only a
 * start-up aid).
 */
public final class CdsTraining {
  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("weft-cds-training");
    try {
      Path src = dir.resolve("training.parquet");
      try (InputStream in = CdsTraining.class.getResourceAsStream("cds-training.parquet")) {
        if (in == null) {
          return;
        }
        Files.copy(in, src);
      }
      Path out = dir.resolve("training.weft");
      OutputStream sink = new ByteArrayOutputStream();
      run(sink, "--help");
      run(sink, "convert", "--help");
      run(sink, "convert", src.toString(), "-o", out.toString(), "--threads", "2", "--compression", "zstd");
      run(sink, "convert", src.toString(), "-o", dir.resolve("lz4.weft").toString(), "--threads", "1",
          "--compression", "lz4", "--columns", "date,origin");
      run(sink, "inspect", out.toString());
      run(sink, "verify", src.toString(), out.toString());
      run(sink, "head", out.toString(), "-n", "3");
      run(sink, "cat", out.toString(), "--format", "jsonl");
      run(sink, "cat", out.toString(), "--format", "arrow");
    } finally {
      try (Stream<Path> s = Files.walk(dir)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void run(OutputStream sink, String... args) {
    try {
      WeftCli.execute(sink, sink, args);
    } catch (RuntimeException | Error e) {
      // a training step that fails only leaves its classes out of the archive
    }
  }
}
