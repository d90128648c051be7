package dev.weft.reader.golden;

import dev.weft.format.Codec;
import dev.weft.format.WeftFormat;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.JsonFileReader;
import org.apache.arrow.vector.ipc.JsonFileWriter;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes the golden file of the format version this library writes: {@code
 * format-spec/golden/v<major>.<minor>/data.weft} and its contents {@code expected.json} in Arrow's
 * JSON integration format ({@link JsonFileWriter}). See {@code format-spec/golden/README.md}.
 *
 * <p>Golden folders are written once and committed; this generator refuses to touch a folder
 * that already holds files. Run it with {@code -Dweft.golden.regenerate=true} on {@code
 * GoldenFileTest}, or as a main class from the {@code reader} module directory.
 */
public final class GoldenFiles {
  public static final String DATA_FILE = "data.weft";
  public static final String EXPECTED_FILE = "expected.json";

  /** Rows in the golden file. */
  static final int ROWS = 48;
  /** Seed of the golden content. */
  static final long SEED = 20240501L;

  private GoldenFiles() {}

  /** {@code format-spec/golden}, seen from the {@code reader} module directory. */
  public static Path goldenRoot() {
    return Paths.get("..", "format-spec", "golden");
  }

  /** The folder name of a format version, e.g. {@code v1.0}. */
  public static String folderName(int major, int minor) {
    return "v" + major + "." + minor;
  }

  /** The folder of the version this library writes. */
  public static Path currentVersionFolder(Path root) {
    return root.resolve(folderName(WeftFormat.VERSION_MAJOR_CURRENT, WeftFormat.VERSION_MINOR_CURRENT));
  }

  /**
   * Every supported type, nulls at every level, nested list/struct/map, fixed-size lists,
   * strings, decimals, timestamps with and without time zone, and edge-case values.
   */
  static Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (Field f : RandomArrow.allTypesSchema().getFields()) {
      if (!JSON_UNSUPPORTED.contains(f.getName())) {
        fields.add(f);
      }
    }
    return new Schema(fields);
  }

  /** Columns of {@link RandomArrow#allTypesSchema()} that Arrow Java's JSON writer cannot write. */
  private static final Set<String> JSON_UNSUPPORTED = Set.of(
      // Arrow Java 19's JsonFileWriter throws UnsupportedOperationException "minor type: ..." for
      // FLOAT2, LARGEVARCHAR and LARGEVARBINARY.
      "float16", "large_utf8", "large_binary");

  /** The golden content (deterministic: a fixed seed and fixed options). */
  static VectorSchemaRoot data(BufferAllocator allocator) {
    return RandomArrow.generate(schema(), ROWS, SEED, allocator,
        RandomArrow.Options.builder().nullProbability(0.2).maxStringBytes(12).maxListLength(4)
            .edgeCaseProbability(0.25).build());
  }

  /**
   * Small mini-blocks, pages and row groups, so that the file has several of each, and zstd so
   * that both compressed and stored blocks occur.
   */
  static WriterOptions writerOptions() {
    return WriterOptions.builder()
        .miniBlockBytes(256)
        .valuesPerMiniBlock(8)
        .targetPageBytes(1024)
        .maxRowGroupRows(20)
        .compression(Codec.ZSTD)
        .createdBy("weft golden-file generator")
        .build();
  }

  /**
   * Writes {@code data.weft} and {@code expected.json} into {@code folder} and checks that both
   * read back as the generated data.
   *
   * @throws FileAlreadyExistsException if the folder already holds files (golden files never change)
   */
  public static void write(Path folder) throws IOException {
    if (Files.isDirectory(folder)) {
      try (var entries = Files.list(folder)) {
        if (entries.findAny().isPresent()) {
          throw new FileAlreadyExistsException(folder.toString(), null,
              "golden folder already has files; golden files of a released version are never changed");
        }
      }
    }
    Files.createDirectories(folder);
    Path data = folder.resolve(DATA_FILE);
    Path json = folder.resolve(EXPECTED_FILE);
    boolean done = false;
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = data(allocator)) {
      try (WeftWriter w = WeftWriter.open(data, root.getSchema(), writerOptions())) {
        w.write(root);
      }
      try (JsonFileWriter jw = new JsonFileWriter(json.toFile(), JsonFileWriter.config().pretty(true))) {
        jw.start(root.getSchema(), null);
        jw.write(root);
      }
      verify(folder, root, allocator);
      done = true;
    } finally {
      if (!done) { // leave nothing half-written behind
        Files.deleteIfExists(data);
        Files.deleteIfExists(json);
      }
    }
  }

  /** Checks that the JSON and the Weft file in {@code folder} both hold {@code expected}. */
  private static void verify(Path folder, VectorSchemaRoot expected, BufferAllocator allocator) throws IOException {
    List<VectorSchemaRoot> batches = readJson(folder.resolve(EXPECTED_FILE), allocator);
    try {
      if (batches.size() != 1) {
        throw new AssertionError("expected one JSON batch, got " + batches.size());
      }
      ArrowAssert.assertRootEquals(expected, batches.get(0));
    } finally {
      batches.forEach(VectorSchemaRoot::close);
    }
    try (WeftReader r = WeftReader.open(folder.resolve(DATA_FILE), allocator);
        WeftScanner s = r.scan(null, ROWS);
        VectorSchemaRoot got = s.next()) {
      ArrowAssert.assertRootEquals(expected, got);
    }
  }

  /** Reads every batch of an Arrow JSON integration file; the caller closes them. */
  public static List<VectorSchemaRoot> readJson(Path json, BufferAllocator allocator) throws IOException {
    List<VectorSchemaRoot> out = new ArrayList<>();
    try (JsonFileReader reader = new JsonFileReader(json.toFile(), allocator)) {
      reader.start();
      VectorSchemaRoot batch;
      while ((batch = reader.read()) != null) {
        out.add(batch);
      }
    } catch (IOException | RuntimeException e) {
      out.forEach(VectorSchemaRoot::close);
      throw e;
    }
    return out;
  }

  /**
   * Writes the golden folder of the current format version.
   *
   * @param args optional: the folder to write (default {@code ../format-spec/golden/v<major>.<minor>},
   *     relative to the {@code reader} module directory)
   */
  public static void main(String[] args) throws IOException {
    Path folder = args.length > 0 ? Paths.get(args[0]) : currentVersionFolder(goldenRoot());
    write(folder);
    System.out.println("wrote " + folder.resolve(DATA_FILE) + " and " + folder.resolve(EXPECTED_FILE));
  }
}
