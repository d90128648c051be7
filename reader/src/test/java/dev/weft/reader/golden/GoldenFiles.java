package dev.weft.reader.golden;

import dev.weft.format.Codec;
import dev.weft.format.WeftFormat;
import dev.weft.reader.EncodingColumns;
import dev.weft.reader.NodeStats;
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

  /** Rows in the golden file (48 in v1.0; 2.0 adds encodings, which need fuller blocks). */
  static final int ROWS = 320;
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
   * strings, decimals, timestamps with and without time zone, and edge-case values; from 2.0 on
   * also {@link EncodingColumns}, shaped so that the file holds every encoding.
   */
  static Schema schema() {
    List<Field> fields = new ArrayList<>();
    for (Field f : RandomArrow.allTypesSchema().getFields()) {
      if (!JSON_UNSUPPORTED.contains(f.getName())) {
        fields.add(f);
      }
    }
    fields.addAll(EncodingColumns.schema().getFields());
    return new Schema(fields);
  }

  /**
   * The encodings the golden file of the current version must hold (as {@code
   * NodeStats.encodings()} names them); {@code GoldenFileTest} checks it for 2.0 and later.
   */
  public static final Set<String> ENCODINGS_V2 = Set.of("PLAIN", "CONSTANT", "FOR", "DELTA", "RLE", "DICTIONARY",
      "BYTE_STREAM_SPLIT", "ALP", "STRING_PLAIN", "STRING_DICTIONARY", "BOOL_RUNS", "LENGTHS_CONSTANT",
      "VALIDITY_RUNS");

  /** The encodings the golden file of 3.0 and later must hold besides {@link #ENCODINGS_V2}. */
  public static final Set<String> ENCODINGS_V3 = Set.of("STRING_FSST", "PAETH");

  /**
   * The encodings the golden file of 4.0 and later must hold besides {@link #ENCODINGS_V3}: blocks
   * of codes into shared dictionaries (integers and strings), the dictionaries themselves and UP
   * residuals of fixed-width byte values. Per-block
   * DICTIONARY and STRING_DICTIONARY may then be absent (shared dictionaries take their columns).
   */
  public static final Set<String> ENCODINGS_V4 = Set.of("SHARED_DICTIONARY", "STRING_SHARED_DICTIONARY",
      "SHARED_DICTIONARY_VALUES", "UP");

  /** The encodings the golden file of 5.0 and later must hold besides {@link #ENCODINGS_V4}. */
  public static final Set<String> ENCODINGS_V5 = Set.of("SPAN");

  /**
   * The encodings the golden file of 6.0 and later must hold besides {@link #ENCODINGS_V4}: SPAN_FOLD,
   * which the 6.0 writer tries instead of SPAN with WriterOptions.foldedSpans (as the generator sets it;
   * SPAN then is absent).
   */
  public static final Set<String> ENCODINGS_V6 = Set.of("SPAN_FOLD");

  /** What a golden file of major version {@code major} must hold. */
  public static Set<String> encodingsRequired(int major) {
    Set<String> need = new java.util.TreeSet<>(ENCODINGS_V2);
    if (major >= 3) {
      need.addAll(ENCODINGS_V3);
    }
    if (major >= 4) {
      need.removeAll(Set.of("DICTIONARY", "STRING_DICTIONARY"));
      need.addAll(ENCODINGS_V4);
    }
    if (major == 5) {
      need.addAll(ENCODINGS_V5);
    }
    if (major >= 6) {
      need.addAll(ENCODINGS_V6);
    }
    return need;
  }

  /** Columns with bloom filters in the golden file (2.1; zone maps cover every column, zones of 64 rows). */
  public static final List<String> BLOOM_COLUMNS = List.of("int32", "utf8", "decimal128_9_2", "float64");

  /** Columns of {@link RandomArrow#allTypesSchema()} that Arrow Java's JSON writer cannot write. */
  private static final Set<String> JSON_UNSUPPORTED = Set.of(
      // Arrow Java 19's JsonFileWriter throws UnsupportedOperationException "minor type: ..." for
      // FLOAT2, LARGEVARCHAR and LARGEVARBINARY.
      "float16", "large_utf8", "large_binary");

  /** The golden content (deterministic: a fixed seed and fixed options). */
  static VectorSchemaRoot data(BufferAllocator allocator) {
    List<Field> randomFields = new ArrayList<>(schema().getFields());
    randomFields.removeAll(EncodingColumns.schema().getFields());
    VectorSchemaRoot random = RandomArrow.generate(new Schema(randomFields), ROWS, SEED, allocator,
        RandomArrow.Options.builder().nullProbability(0.2).maxStringBytes(12).maxListLength(4)
            .edgeCaseProbability(0.25).build());
    VectorSchemaRoot shaped = EncodingColumns.generate(ROWS, SEED, allocator);
    List<org.apache.arrow.vector.FieldVector> vectors = new ArrayList<>(random.getFieldVectors());
    vectors.addAll(shaped.getFieldVectors());
    return new VectorSchemaRoot(vectors); // owns the vectors of both
  }

  /**
   * Small mini-blocks, pages and row groups, so that the file has several of each, and zstd so
   * that both compressed and stored blocks occur (v1.0 used 256-byte blocks of 8 values, pages of
   * 1 KiB and row groups of 20 rows; 2.0 uses blocks of 128 values, pages of 4 KiB and row groups of
   * 150 rows, so that encodings pay; 2.1 adds zone maps of 64-row zones and bloom filters on
   * {@link #BLOOM_COLUMNS}; 3.0 uses LZ4 instead of zstd, because FSST wins over LZ4 on text but
   * rarely over zstd, and the file must hold every encoding).
   */
  static WriterOptions writerOptions() {
    WriterOptions.Builder b = WriterOptions.builder();
    for (String c : BLOOM_COLUMNS) {
      b.bloomFilter(c, 0.01);
    }
    return b
        .zoneMapRows(64)
        .miniBlockBytes(2048)
        .valuesPerMiniBlock(128)
        .targetPageBytes(4096)
        .maxRowGroupRows(150)
        .compression(Codec.LZ4)
        .foldedSpans(true) // 6.0: the golden file holds SPAN_FOLD (SPAN is in golden v5.0)
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
      Set<String> used = encodingsUsed(r);
      Set<String> need = encodingsRequired(dev.weft.format.WeftFormat.VERSION_MAJOR_CURRENT);
      if (!used.containsAll(need)) {
        throw new AssertionError("golden file lacks encodings: uses " + used + ", needs " + need);
      }
    }
  }

  /** Every encoding any node of the file uses. */
  public static Set<String> encodingsUsed(WeftReader r) throws IOException {
    Set<String> used = new java.util.TreeSet<>();
    for (int c = 0; c < r.numColumns(); c++) {
      for (NodeStats st : r.nodeStats(c)) {
        used.addAll(st.encodings().keySet());
      }
    }
    return used;
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
