package dev.weft.testdata.gen;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;

/**
 * Writes a generated table as an Arrow IPC stream, batch by batch (memory: one batch), to a file
 * or to standard output ({@code -}); {@code weftbench.gen} pipes it into pyarrow's Parquet writer.
 *
 * <pre>
 * GenMain recsys|wide|text --rows N [--seed 42] [--columns 10000] [--batch-rows 8192] --out FILE|-
 * </pre>
 */
public final class GenMain {
  private GenMain() {}

  public static TableGenerator generator(String kind, long rows, long seed, int columns, int batchRows) {
    return switch (kind) {
      case "recsys" -> new RecsysTable(rows, seed, batchRows);
      case "wide" -> new WideGenerator(rows, seed, columns, batchRows);
      case "text" -> new TextGenerator(rows, seed, batchRows);
      default -> throw new IllegalArgumentException("unknown table " + kind + " (recsys, wide, text)");
    };
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: GenMain recsys|wide|text --rows N [--seed S] [--columns C] [--batch-rows B] --out FILE|-");
      System.exit(2);
    }
    String kind = args[0];
    long rows = -1;
    long seed = 42;
    int columns = WideGenerator.DEFAULT_COLUMNS;
    int batchRows = -1;
    String out = null;
    for (int i = 1; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        case "--columns" -> columns = Integer.parseInt(args[i + 1]);
        case "--batch-rows" -> batchRows = Integer.parseInt(args[i + 1]);
        case "--out" -> out = args[i + 1];
        default -> {
          System.err.println("GenMain: unknown option " + args[i]);
          System.exit(2);
        }
      }
    }
    if (rows < 0 || out == null) {
      System.err.println("GenMain: --rows and --out are required");
      System.exit(2);
    }
    if (batchRows < 0) {
      // wide rows are big: keep a batch around 16 MB
      batchRows = kind.equals("wide") ? Math.max(64, 4_000_000 / Math.max(1, columns)) : 8192;
    }
    TableGenerator gen = generator(kind, rows, seed, columns, batchRows);
    try (OutputStream os = out.equals("-") ? new BufferedOutputStream(System.out, 1 << 20)
            : new BufferedOutputStream(Files.newOutputStream(Path.of(out)), 1 << 20);
        BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = gen.newRoot(allocator);
        ArrowStreamWriter w = new ArrowStreamWriter(root, null, Channels.newChannel(os))) {
      w.start();
      for (int b = 0; b < gen.numBatches(); b++) {
        gen.fill(root, b);
        w.writeBatch();
      }
      w.end();
    }
  }
}
