package dev.weft.reader.corrupt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.format.BlockTable;
import dev.weft.format.Checksums;
import dev.weft.format.Codec;
import dev.weft.format.ColumnDirectory;
import dev.weft.format.ColumnMeta;
import dev.weft.format.ColumnNode;
import dev.weft.format.CorruptFileException;
import dev.weft.format.Footer;
import dev.weft.index.NameIndex;
import dev.weft.format.FormatTooNewException;
import dev.weft.format.PageMeta;
import dev.weft.format.RowGroupMeta;
import dev.weft.format.WeftException;
import dev.weft.format.WeftFormat;
import dev.weft.reader.ReaderOptions;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded corruption fuzzing of the reader.
 *
 * <p>Several files of different shapes are written once. Each trial corrupts a copy (random bit
 * flips anywhere, a truncation, or flips aimed at one kind of structure), then opens it, reads
 * the full schema and every column's metadata, scans every column fully and takes every row in
 * random order. The only acceptable outcomes are
 *
 * <ul>
 *   <li>a {@link WeftException} (for {@code WeftScanner.next()} wrapped in an {@link
 *       UncheckedIOException}) whose message names the file, or
 *   <li>every value read equal to the original, which is only acceptable when every flipped byte
 *       lies in the zero padding that no checksum covers. The padding ranges are computed exactly
 *       from the file's structures (header, mini-blocks, block tables, column metadata blocks,
 *       directory, schema message, footer and tail); every other byte is covered.
 * </ul>
 *
 * Any other exception, a hang (10 s per trial) or a silently different value fails the trial.
 * Failure messages carry the trial seed and the flipped offsets with the structure they hit.
 * The base seed can be changed with {@code -Dweft.fuzz.seed=N}, the number of trials scaled with
 * {@code -Dweft.fuzz.scale=N}.
 */
class CorruptionFuzzTest {
  private static final long BASE_SEED = Long.getLong("weft.fuzz.seed", 0x5EEDF00DL);
  private static final Duration TRIAL_TIMEOUT = Duration.ofSeconds(10);

  /** Multiplies the trial counts, e.g. {@code -Dweft.fuzz.scale=20} for a long run. */
  private static final int SCALE = Integer.getInteger("weft.fuzz.scale", 1);
  private static final int RANDOM_FLIP_TRIALS = 120 * SCALE;
  private static final int TRUNCATION_TRIALS = 20 * SCALE;
  private static final int TARGETED_TRIALS_PER_KIND = 12 * SCALE;
  private static final int NO_CHECKSUM_TRIALS = 60 * SCALE;
  private static final int REPAIRED_CHECKSUM_TRIALS = 100 * SCALE;

  @TempDir static Path dir;

  private static BufferAllocator dataAllocator;
  private static final List<Shape> SHAPES = new ArrayList<>();
  private static final AtomicLong FILE_COUNTER = new AtomicLong();

  /** Kinds of byte ranges of a file. Every byte belongs to exactly one range. */
  enum Kind {
    HEADER, MINI_BLOCK, BLOCK_TABLE, COLUMN_META, DIRECTORY, SCHEMA, FOOTER, TAIL, PADDING, INDEX;

    /**
     * Whether a flip here must be detected. Padding is not checksummed; a damaged index (2.1:
     * name index, zone maps, bloom filters) is detected by its checksum and then ignored, so the
     * file must read back unchanged or fail with a WeftException, never give a wrong value.
     */
    boolean covered() {
      return this != PADDING && this != INDEX;
    }
  }

  /** A byte range {@code [start, end)} of one structure. */
  record Region(Kind kind, long start, long end, String what) {
    long length() {
      return end - start;
    }

    @Override
    public String toString() {
      return kind + " [" + start + ", " + end + ")" + (what.isEmpty() ? "" : " " + what);
    }
  }

  /** A stored CRC32C at {@code at} of the bytes {@code [start, start + length)}. */
  record CrcField(long at, long start, long length) {}

  /** Where a file's structures and checksums are. */
  record Layout(List<Region> regions, List<CrcField> checksums, List<Region> dataless) {}

  /** One written file, its original data and the map of its bytes. */
  static final class Shape {
    final String name;
    final Path file;
    final byte[] bytes;
    final VectorSchemaRoot expected;
    final List<Region> regions;
    /** Every checksum of the file, innermost first (a checksum never covers a later one). */
    final List<CrcField> checksums;
    /**
     * Checksummed structures that hold no element: block tables of pages with no elements and
     * non-empty mini-blocks with no elements (e.g. the child of a list column in rows whose lists
     * are all empty or null).
     */
    final List<Region> dataless;

    Shape(String name, Path file, byte[] bytes, VectorSchemaRoot expected, Layout layout) {
      this.name = name;
      this.file = file;
      this.bytes = bytes;
      this.expected = expected;
      this.regions = layout.regions();
      this.checksums = layout.checksums();
      this.dataless = layout.dataless();
    }

    /** Recomputes every checksum of {@code copy} over the original structures' extents. */
    void repairChecksums(byte[] copy) {
      ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
      for (CrcField f : checksums) {
        b.putInt((int) f.at(), Checksums.crc32c(copy, (int) f.start(), (int) f.length()));
      }
    }

    Region regionAt(long offset) {
      int lo = 0;
      int hi = regions.size() - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        Region r = regions.get(mid);
        if (offset < r.start()) {
          hi = mid - 1;
        } else if (offset >= r.end()) {
          lo = mid + 1;
        } else {
          return r;
        }
      }
      throw new AssertionError("offset " + offset + " is in no region of " + name);
    }

    List<Region> regionsOf(Kind kind) {
      List<Region> out = new ArrayList<>();
      for (Region r : regions) {
        if (r.kind() == kind && r.length() > 0) {
          out.add(r);
        }
      }
      return out;
    }

    @Override
    public String toString() {
      return name;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Files

  @BeforeAll
  static void writeFiles() throws Exception {
    dataAllocator = new RootAllocator();
    WriterOptions small = WriterOptions.builder()
        .miniBlockBytes(256)
        .valuesPerMiniBlock(16)
        .targetPageBytes(1024)
        .maxRowGroupRows(64)
        .build();

    Schema all = RandomArrow.allTypesSchema();
    RandomArrow.Options withNulls = RandomArrow.Options.builder().nullProbability(0.2).build();
    addShape("allTypes-zstd", all, 200, 11, withNulls,
        small.toBuilder().compression(Codec.ZSTD).build());
    addShape("allTypes-lz4", all, 120, 12, withNulls,
        small.toBuilder().compression(Codec.LZ4).maxRowGroupRows(50).build());
    addShape("allTypes-none", all, 120, 13, withNulls,
        small.toBuilder().compression(Codec.NONE).maxRowGroupRows(40).build());

    Schema nested = RandomArrow.randomSchema(new Random(BASE_SEED ^ 0x4E57L), 8, 4);
    addShape("nested-zstd", nested, 150, 14,
        RandomArrow.Options.builder().nullProbability(0.25).maxListLength(5).build(),
        small.toBuilder().compression(Codec.ZSTD).maxRowGroupRows(40).build());

    Schema large = new Schema(List.of(
        new Field("id", FieldType.nullable(new ArrowType.Int(64, true)), null),
        new Field("text", FieldType.nullable(ArrowType.Utf8.INSTANCE), null),
        new Field("blob", FieldType.nullable(ArrowType.LargeBinary.INSTANCE), null),
        new Field("blobs", FieldType.nullable(ArrowType.List.INSTANCE),
            List.of(new Field("item", FieldType.nullable(ArrowType.Binary.INSTANCE), null)))));
    addShape("largeValues-none", large, 40, 15,
        RandomArrow.Options.builder().nullProbability(0.1).hugeProbability(0.08).hugeValueBytes(20_000).build(),
        WriterOptions.builder().miniBlockBytes(4096).targetPageBytes(8192).maxRowGroupRows(16)
            .compression(Codec.NONE).encodings(false).build());

    // Non-nullable fixed-width columns stored uncompressed: scans of 64+ rows hand out zero-copy
    // views of the mapped file, a separate read path.
    Schema fixed = new Schema(List.of(
        new Field("i32", FieldType.notNullable(new ArrowType.Int(32, true)), null),
        new Field("i64", FieldType.notNullable(new ArrowType.Int(64, true)), null),
        new Field("f64", FieldType.notNullable(new ArrowType.FloatingPoint(
            org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE)), null),
        new Field("fsb", FieldType.notNullable(new ArrowType.FixedSizeBinary(5)), null),
        new Field("ts", FieldType.notNullable(new ArrowType.Timestamp(
            org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC")), null),
        new Field("maybe", FieldType.nullable(new ArrowType.Int(16, true)), null)));
    addShape("fixedWidth-none", fixed, 400, 17, withNulls,
        WriterOptions.builder().miniBlockBytes(512).valuesPerMiniBlock(64).targetPageBytes(2048)
            .maxRowGroupRows(200).compression(Codec.NONE).build());

    addShape("empty-zstd", all, 0, 16, withNulls, small.toBuilder().compression(Codec.ZSTD).build());

    // Columns shaped to pick every encoding of format 2.0, so that flips hit encoded streams
    // (bit widths, run lengths, dictionary codes, exception positions, nesting).
    WriterOptions encoded = WriterOptions.builder().miniBlockBytes(2048).valuesPerMiniBlock(128)
        .targetPageBytes(4096).maxRowGroupRows(200).build();
    addEncodedShape("encodings-zstd", 400, 18, encoded.toBuilder().compression(Codec.ZSTD).build());
    addEncodedShape("encodings-none", 300, 19, encoded.toBuilder().compression(Codec.NONE).build());
  }

  private static void addShape(String name, Schema schema, int rows, long seed,
      RandomArrow.Options gen, WriterOptions options) throws IOException {
    Path file = dir.resolve(name + ".weft");
    VectorSchemaRoot data = RandomArrow.generate(schema, rows, BASE_SEED * 31 + seed, dataAllocator, gen);
    try (WeftWriter w = WeftWriter.open(file, schema, options)) {
      if (rows > 0) {
        w.write(data);
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    Shape shape = new Shape(name, file, bytes, data, mapRegions(file, bytes));
    SHAPES.add(shape);
    // The pristine file must read back exactly.
    Outcome o = readEverything(file, shape, new Random(seed), ReaderOptions.defaults(), true);
    if (o.error != null) {
      throw new AssertionError("pristine file " + name + " does not read back", o.error);
    }
  }

  private static void addEncodedShape(String name, int rows, long seed, WriterOptions options) throws IOException {
    Path file = dir.resolve(name + ".weft");
    VectorSchemaRoot data = dev.weft.reader.EncodingColumns.generate(rows, BASE_SEED * 31 + seed, dataAllocator);
    try (WeftWriter w = WeftWriter.open(file, data.getSchema(), options)) {
      w.write(data);
    }
    byte[] bytes = Files.readAllBytes(file);
    Shape shape = new Shape(name, file, bytes, data, mapRegions(file, bytes));
    SHAPES.add(shape);
    Outcome o = readEverything(file, shape, new Random(seed), ReaderOptions.defaults(), true);
    if (o.error != null) {
      throw new AssertionError("pristine file " + name + " does not read back", o.error);
    }
  }

  @AfterAll
  static void closeData() {
    for (Shape s : SHAPES) {
      s.expected.close();
    }
    SHAPES.clear();
    if (dataAllocator != null) {
      dataAllocator.close();
    }
  }

  /**
   * Maps every byte of a pristine file to the structure holding it, using the reader API for the
   * row groups, column metadata and pages, and the format classes for the footer, directory and
   * block tables. Checks that the regions do not overlap and that the gaps between them are
   * zero padding of fewer than 8 bytes.
   */
  static Layout mapRegions(Path file, byte[] bytes) throws IOException {
    long size = bytes.length;
    ByteBuffer all = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    List<Region> covered = new ArrayList<>();
    List<CrcField> blockCrcs = new ArrayList<>();
    List<CrcField> tableCrcs = new ArrayList<>();
    List<CrcField> metaCrcs = new ArrayList<>();
    List<Region> dataless = new ArrayList<>();
    covered.add(new Region(Kind.HEADER, 0, WeftFormat.HEADER_LENGTH, ""));
    long tailStart = size - WeftFormat.TAIL_LENGTH;
    covered.add(new Region(Kind.TAIL, tailStart, size, ""));
    long footerOffset = all.getLong((int) tailStart);
    int footerLength = all.getInt((int) tailStart + 8);
    assertEquals(tailStart, footerOffset + footerLength, "footer ends at the tail");
    covered.add(new Region(Kind.FOOTER, footerOffset, tailStart, ""));
    Footer footer = Footer.decode(slice(bytes, footerOffset, footerLength), file, footerOffset);
    covered.add(new Region(Kind.DIRECTORY, footer.directoryOffset(),
        footer.directoryOffset() + footer.directoryLength(), ""));
    covered.add(new Region(Kind.SCHEMA, footer.schemaOffset(), footer.schemaOffset() + footer.schemaLength(), ""));
    ColumnDirectory directory = ColumnDirectory.decode(
        slice(bytes, footer.directoryOffset(), footer.directoryLength()), footer.numColumns(), file,
        footer.directoryOffset());
    try (WeftReader r = WeftReader.open(file)) {
      assertEquals(footer.rowGroups(), r.rowGroups());
      for (int c = 0; c < r.numColumns(); c++) {
        String name = r.columnName(c);
        ColumnDirectory.Entry e = directory.entry(c);
        covered.add(new Region(Kind.COLUMN_META, e.metaOffset(), e.metaOffset() + e.metaLength(),
            "column '" + name + "'"));
        metaCrcs.add(new CrcField(footer.directoryOffset() + (long) c * WeftFormat.DIRECTORY_ENTRY_LENGTH + 12,
            e.metaOffset(), e.metaLength()));
        ColumnMeta meta = r.columnMeta(c);
        // Page metadata entries: after the field message (padded to 8) and the node list.
        long pos = e.metaOffset() + WeftFormat.align(4 + (all.getInt((int) e.metaOffset()) & 0xFFFF_FFFFL));
        assertEquals(meta.layout().nodes().size(), all.getInt((int) pos), "node count of " + name);
        pos += 4 + 8L * meta.layout().nodes().size();
        for (int n = 0; n < meta.pagesPerNode().size(); n++) {
          ColumnNode node = meta.layout().node(n);
          List<PageMeta> pages = meta.pagesPerNode().get(n);
          assertEquals(pages.size(), all.getInt((int) pos), "page count of " + node.path());
          pos += 8;
          for (int p = 0; p < pages.size(); p++) {
            PageMeta page = pages.get(p);
            long tableCrcAt = pos + 44;
            pos += 56;
            assertEquals(page.tableCrc(), all.getInt((int) tableCrcAt), "table checksum position");
            tableCrcs.add(new CrcField(tableCrcAt, page.tableOffset(), page.tableLength()));
            assertTrue(insideSomeRowGroup(r.rowGroups(), page.offset(), page.tableOffset() + page.tableLength()),
                "page " + p + " of " + node.path() + " lies in a row group");
            String where = "column '" + name + "' node '" + node.path() + "' page " + p + " (rows "
                + page.firstRow() + "+" + page.numRows() + ", elements " + page.firstElement() + "+"
                + page.numElements() + ")";
            Region tableRegion = new Region(Kind.BLOCK_TABLE, page.tableOffset(), page.tableOffset() + page.tableLength(), where);
            covered.add(tableRegion);
            if (page.numElements() == 0) {
              dataless.add(tableRegion);
            }
            BlockTable table = BlockTable.decode(slice(bytes, page.tableOffset(), page.tableLength()), page, file, name);
            for (int b = 0; b < table.size(); b++) {
              long start = page.offset() + table.offset(b);
              Region block = new Region(Kind.MINI_BLOCK, start, start + table.storedLength(b),
                  where + " block " + b + " (elements " + table.elemStart(b) + ".." + table.elemEnd(b)
                      + ", " + table.codec(b) + ")");
              covered.add(block);
              if (table.elemEnd(b) == table.elemStart(b) && block.length() > 0) {
                dataless.add(block);
              }
              long crcAt = page.tableOffset() + (long) b * WeftFormat.BLOCK_ENTRY_LENGTH + 20;
              assertEquals(table.crc(b), all.getInt((int) crcAt), "block checksum position");
              blockCrcs.add(new CrcField(crcAt, start, table.storedLength(b)));
            }
          }
          // (4.0) the node's shared dictionaries: their stored bytes are checksummed like blocks
          for (dev.weft.format.DictionaryMeta d : meta.dictionariesPerNode().get(n)) {
            long crcAt = pos + 16;
            assertEquals(d.crc(), all.getInt((int) crcAt), "dictionary checksum position");
            covered.add(new Region(Kind.MINI_BLOCK, d.offset(), d.offset() + d.storedLength(),
                "column '" + name + "' node '" + node.path() + "' shared dictionary"));
            blockCrcs.add(new CrcField(crcAt, d.offset(), d.storedLength()));
            pos += dev.weft.format.DictionaryMeta.LENGTH;
          }
        }
        assertEquals(e.metaOffset() + e.metaLength(), pos, "end of the page list of " + name);
      }
    }
    long groupsEnd = footerOffset + 16 + 32L * footer.rowGroups().size();
    List<CrcField> checksums = new ArrayList<>(blockCrcs);
    checksums.addAll(tableCrcs);
    checksums.addAll(metaCrcs);
    addIndex(file, bytes, footer, footerOffset, tailStart, covered, checksums);
    checksums.add(new CrcField(groupsEnd + 12, footer.directoryOffset(), footer.directoryLength()));
    checksums.add(new CrcField(groupsEnd + 28, footer.schemaOffset(), footer.schemaLength()));
    checksums.add(new CrcField(tailStart + 12, footerOffset, footerLength));
    checksums.add(new CrcField(28, 0, 28));
    for (CrcField f : checksums) {
      assertEquals(Checksums.crc32c(bytes, (int) f.start(), (int) f.length()), all.getInt((int) f.at()),
          "stored checksum at " + f.at());
    }
    covered.removeIf(reg -> reg.length() == 0);
    covered.sort(Comparator.comparingLong(Region::start));
    List<Region> out = new ArrayList<>();
    long pos = 0;
    for (Region reg : covered) {
      if (reg.start() < pos) {
        throw new AssertionError("overlapping structures in " + file + ": " + reg + " starts before " + pos);
      }
      if (reg.start() > pos) {
        out.add(padding(bytes, pos, reg.start()));
      }
      out.add(reg);
      pos = reg.end();
    }
    assertEquals(size, pos, "the tail ends the file");
    return new Layout(List.copyOf(out), List.copyOf(checksums), List.copyOf(dataless));
  }

  /**
   * The 2.1 index: regions of the root, the name chunks, the zone maps and bloom filters, and
   * their checksums (entries' copies of the ColumnMeta checksums first, the root's last).
   */
  private static void addIndex(Path file, byte[] bytes, Footer footer, long footerOffset, long tailStart,
      List<Region> covered, List<CrcField> checksums) throws IOException {
    Footer.IndexRef ref = footer.index();
    if (ref == null) {
      return;
    }
    covered.add(new Region(Kind.INDEX, ref.offset(), ref.offset() + ref.length(), "index root"));
    NameIndex.Root root = NameIndex.decodeRoot(slice(bytes, ref.offset(), ref.length()), file, ref.offset(),
        footerOffset);
    List<CrcField> entryCrcs = new ArrayList<>();
    List<CrcField> chunkCrcs = new ArrayList<>();
    long refPos = ref.offset() + 8;
    for (NameIndex.ChunkRef c : root.chunks()) {
      NameIndex.Ref r = c.ref();
      chunkCrcs.add(new CrcField(refPos + 12, r.offset(), r.length()));
      refPos += 20 + c.firstName().length;
      covered.add(new Region(Kind.INDEX, r.offset(), r.offset() + r.length(), "name chunk"));
      List<NameIndex.Entry> entries = NameIndex.decodeChunk(slice(bytes, r.offset(), r.length()), file, r.offset(),
          footerOffset, footer.numColumns());
      long pos = r.offset() + 4;
      for (NameIndex.Entry e : entries) {
        int n = e.name().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        entryCrcs.add(new CrcField(pos + 4 + n + 16, e.meta().metaOffset(), e.meta().metaLength()));
        if (e.zones().present()) {
          covered.add(new Region(Kind.INDEX, e.zones().offset(), e.zones().offset() + e.zones().length(),
              "zone map of '" + e.name() + "'"));
          entryCrcs.add(new CrcField(pos + 4 + n + 32, e.zones().offset(), e.zones().length()));
        }
        if (e.blooms().present()) {
          covered.add(new Region(Kind.INDEX, e.blooms().offset(), e.blooms().offset() + e.blooms().length(),
              "bloom filters of '" + e.name() + "'"));
          entryCrcs.add(new CrcField(pos + 4 + n + 48, e.blooms().offset(), e.blooms().length()));
        }
        pos += 4 + n + 52;
      }
    }
    checksums.addAll(entryCrcs);
    checksums.addAll(chunkCrcs);
    checksums.add(new CrcField(tailStart - 4, ref.offset(), ref.length()));
  }

  private static Region padding(byte[] bytes, long start, long end) {
    if (end - start >= WeftFormat.ALIGNMENT) {
      throw new AssertionError("gap of " + (end - start) + " bytes at [" + start + ", " + end
          + ") is not covered by any structure and longer than alignment padding");
    }
    for (long i = start; i < end; i++) {
      if (bytes[(int) i] != 0) {
        throw new AssertionError("padding byte at " + i + " is " + bytes[(int) i] + ", not 0");
      }
    }
    return new Region(Kind.PADDING, start, end, "");
  }

  private static boolean insideSomeRowGroup(List<RowGroupMeta> groups, long start, long end) {
    for (RowGroupMeta g : groups) {
      if (start >= g.startOffset() && end <= g.endOffset()) {
        return true;
      }
    }
    return false;
  }

  private static ByteBuffer slice(byte[] bytes, long offset, long length) {
    return ByteBuffer.wrap(bytes, (int) offset, (int) length).slice().order(ByteOrder.LITTLE_ENDIAN);
  }

  // ---------------------------------------------------------------------------------------------
  // Reading a (possibly corrupt) file

  /** What reading a file did: null error means every value read equals the original. */
  record Outcome(Throwable error, boolean weftError) {}

  /**
   * Opens the file, reads the schema and every column's metadata, then scans every column fully
   * and takes every row in random order (in random order of the two). Returns the first Weft
   * error; any other throwable, and any difference from the original data, is returned as a
   * non-Weft error.
   *
   * @param compareValues whether values read must equal the original (false with checksums off)
   */
  static Outcome readEverything(Path file, Shape shape, Random rnd, ReaderOptions options, boolean compareValues) {
    VectorSchemaRoot expected = shape.expected;
    BufferAllocator allocator = new RootAllocator();
    Throwable error = null;
    try {
      try (WeftReader r = WeftReader.open(file, allocator, options)) {
        if (compareValues) {
          assertEquals(expected.getRowCount(), r.numRows(), "row count");
          assertEquals(expected.getSchema().getFields().size(), r.numColumns(), "column count");
          assertEquals(WeftFormat.VERSION_MAJOR_CURRENT + "." + WeftFormat.VERSION_MINOR_CURRENT, r.formatVersion(),
              "format version");
        }
        Schema schema = r.schema();
        if (compareValues) {
          ArrowAssert.assertSchemaEquals(expected.getSchema(), schema);
        }
        List<Throwable> phaseErrors = new ArrayList<>();
        boolean scanFirst = rnd.nextBoolean();
        for (int phase = 0; phase < 2; phase++) {
          try {
            if ((phase == 0) == scanFirst) {
              int batch = switch (rnd.nextInt(3)) {
                case 0 -> 1 + rnd.nextInt(70);
                case 1 -> (int) Math.max(1, Math.min(r.numRows(), 1 << 20));
                default -> 64 + rnd.nextInt(200);
              };
              scanAll(r, expected, batch, compareValues);
            } else {
              takeAll(r, expected, rnd, compareValues);
            }
          } catch (WeftException e) {
            phaseErrors.add(e);
          } catch (UncheckedIOException e) {
            if (!(e.getCause() instanceof WeftException)) {
              throw e;
            }
            phaseErrors.add(e.getCause());
          }
        }
        // Column names and metadata of every column (cached or freshly read); the name index
        // must find each column, and null counts through the zone maps (2.1) must be right.
        try {
          for (int c = 0; c < r.numColumns(); c++) {
            String name = r.columnName(c);
            if (compareValues) {
              assertEquals(expected.getSchema().getFields().get(c).getName(), name);
            }
            r.columnMeta(c);
            int found = r.columnIndex(expected.getSchema().getFields().get(c).getName());
            if (compareValues) {
              assertEquals(c, found, "column index by name");
            }
            if (c < 3 && compareValues) {
              String n = expected.getSchema().getFields().get(c).getName();
              assertEquals(expected.getVector(c).getNullCount(),
                  r.count(dev.weft.index.Expr.isNull(dev.weft.index.Expr.col(n))), "nulls of " + n);
            }
          }
        } catch (WeftException e) {
          phaseErrors.add(e);
        }
        if (!phaseErrors.isEmpty()) {
          error = phaseErrors.get(0);
        }
      }
    } catch (WeftException e) {
      error = e;
    } catch (UncheckedIOException e) {
      error = e.getCause() instanceof WeftException ? e.getCause() : e;
    } catch (Throwable t) {
      error = t;
    }
    try {
      allocator.close();
    } catch (Throwable t) {
      if (error == null || error instanceof WeftException) {
        AssertionError leak = new AssertionError("allocator not empty after reading"
            + (error == null ? "" : " failed with " + error) + ": " + t.getMessage(), t);
        return new Outcome(leak, false);
      }
    }
    return new Outcome(error, error instanceof WeftException);
  }

  private static void scanAll(WeftReader r, VectorSchemaRoot expected, int batchSize, boolean compare) throws IOException {
    long row = 0;
    try (WeftScanner s = r.scan(null, batchSize)) {
      while (s.hasNext() && (compare || row < 1_000_000)) {
        try (VectorSchemaRoot batch = s.next()) {
          if (compare) {
            assertEquals(Math.min(batchSize, expected.getRowCount() - row), batch.getRowCount(), "batch rows");
            for (int c = 0; c < expected.getFieldVectors().size(); c++) {
              FieldVector ev = expected.getVector(c);
              ArrowAssert.assertVectorRangeEquals(ev, (int) row, batch.getVector(c), 0, batch.getRowCount(),
                  ev.getName());
            }
          }
          row += batch.getRowCount();
        }
      }
    }
    if (compare) {
      assertEquals(r.numRows(), row, "rows scanned");
    }
  }

  private static void takeAll(WeftReader r, VectorSchemaRoot expected, Random rnd, boolean compare) throws IOException {
    // Without comparison the file's own row count is used (it may differ after a repaired flip).
    int n = compare ? expected.getRowCount() : (int) Math.min(r.numRows(), 100_000);
    int[] perm = new int[n];
    for (int i = 0; i < n; i++) {
      perm[i] = i;
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rnd.nextInt(i + 1);
      int t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    long[] ids = Arrays.stream(perm).asLongStream().toArray();
    try (VectorSchemaRoot got = r.take(ids, null)) {
      assertEquals(n, got.getRowCount(), "rows taken");
      if (compare) {
        ArrowAssert.assertRowsEqual(expected, perm, got);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Trials

  /** Counts over all trials, printed at the end. */
  private static final Map<Kind, long[]> STATS = new EnumMap<>(Kind.class);

  private enum Mode { RANDOM_FLIPS, TRUNCATION, TARGETED }

  @TestFactory
  Stream<DynamicTest> randomBitFlips() {
    return SHAPES.stream().map(s -> DynamicTest.dynamicTest(s.name, () -> runTrials(s, Mode.RANDOM_FLIPS)));
  }

  @TestFactory
  Stream<DynamicTest> truncations() {
    return SHAPES.stream().map(s -> DynamicTest.dynamicTest(s.name, () -> runTrials(s, Mode.TRUNCATION)));
  }

  @TestFactory
  Stream<DynamicTest> targetedFlips() {
    return SHAPES.stream().map(s -> DynamicTest.dynamicTest(s.name, () -> runTrials(s, Mode.TARGETED)));
  }

  private static long trialSeed(Shape s, Mode mode, int trial) {
    long z = BASE_SEED ^ (s.name.hashCode() * 0x9E3779B97F4A7C15L) ^ ((mode.ordinal() + 1L) << 48) ^ trial;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  private void runTrials(Shape s, Mode mode) throws IOException {
    List<String> failures = new ArrayList<>();
    int trials = 0;
    int undetectedPadding = 0;
    switch (mode) {
      case RANDOM_FLIPS -> {
        for (int t = 0; t < RANDOM_FLIP_TRIALS; t++) {
          long seed = trialSeed(s, mode, t);
          Random rnd = new Random(seed);
          int flips = 1 + rnd.nextInt(3);
          long[] bits = new long[flips];
          for (int i = 0; i < flips; i++) {
            bits[i] = (long) (rnd.nextDouble() * s.bytes.length * 8);
          }
          trials++;
          if (flipTrial(s, "random flips, trial " + t, seed, rnd, bits, failures)) {
            undetectedPadding++;
          }
        }
      }
      case TARGETED -> {
        int t = 0;
        for (Kind kind : Kind.values()) {
          List<Region> regions = s.regionsOf(kind);
          if (regions.isEmpty()) {
            continue;
          }
          for (int k = 0; k < TARGETED_TRIALS_PER_KIND; k++, t++) {
            long seed = trialSeed(s, mode, t);
            Random rnd = new Random(seed);
            Region reg = regions.get(rnd.nextInt(regions.size()));
            long bit = reg.start() * 8 + (long) (rnd.nextDouble() * reg.length() * 8);
            trials++;
            boolean ok = flipTrial(s, "targeted flip in " + kind + ", trial " + t, seed, rnd, new long[] {bit}, failures);
            if (ok) {
              undetectedPadding++;
            }
          }
        }
        // Structures without elements are flipped on purpose: a random pick rarely hits them.
        int n = Math.min(4, s.dataless.size());
        for (int k = 0; k < n; k++, t++) {
          long seed = trialSeed(s, mode, t);
          Random rnd = new Random(seed);
          Region reg = s.dataless.get(k * s.dataless.size() / n);
          long bit = reg.start() * 8 + (long) (rnd.nextDouble() * reg.length() * 8);
          trials++;
          if (flipTrial(s, "targeted flip in a structure holding no elements, trial " + t, seed, rnd,
              new long[] {bit}, failures)) {
            undetectedPadding++;
          }
        }
      }
      case TRUNCATION -> {
        long size = s.bytes.length;
        List<Long> cuts = new ArrayList<>(List.of(0L, 1L, 4L, 31L, 32L, 33L, size / 2, size - 25,
            size - 24, size - 23, size - 4, size - 1));
        for (int t = 0; t < TRUNCATION_TRIALS; t++) {
          cuts.add((long) (new Random(trialSeed(s, mode, t)).nextDouble() * size));
        }
        int t = 0;
        for (long cut : cuts) {
          long seed = trialSeed(s, mode, t++);
          trials++;
          truncationTrial(s, cut, seed, failures);
        }
      }
      default -> throw new IllegalStateException();
    }
    System.out.printf("[CorruptionFuzzTest] %s %s: %d trials, %d read back unchanged (flips only in padding or in the ignored-when-damaged index), "
        + "%d failures%n", s.name, mode, trials, undetectedPadding, failures.size());
    if (!failures.isEmpty()) {
      fail(failures.size() + " of " + trials + " " + mode + " trials on " + s.name + " (" + s.file
          + ", base seed " + BASE_SEED + ") failed:\n" + String.join("\n\n", failures.subList(0, Math.min(8, failures.size()))));
    }
  }

  /**
   * Flips the given bit positions in a copy of the file and reads it.
   *
   * @return true if the file read back unchanged (only allowed when every flip was in padding)
   */
  private boolean flipTrial(Shape s, String label, long seed, Random rnd, long[] bits, List<String> failures)
      throws IOException {
    byte[] copy = s.bytes.clone();
    StringBuilder desc = new StringBuilder(label).append(" on ").append(s.name).append(", trial seed ")
        .append(seed).append(", flipped bits:");
    boolean allPadding = true;
    long[] distinctBytes = new long[bits.length];
    for (int i = 0; i < bits.length; i++) {
      long offset = bits[i] >>> 3;
      int bit = (int) (bits[i] & 7);
      copy[(int) offset] ^= (byte) (1 << bit);
      Region reg = s.regionAt(offset);
      allPadding &= !reg.kind().covered();
      distinctBytes[i] = offset;
      desc.append("\n    offset ").append(offset).append(" bit ").append(bit).append(" in ").append(reg);
    }
    if (Arrays.equals(copy, s.bytes)) {
      return false; // two flips of the same bit cancelled out
    }
    Path file = writeCopy(s, copy);
    Outcome o = runOne(file, s, seed, rnd, desc.toString(), ReaderOptions.defaults(), true);
    Files.deleteIfExists(file);
    String problem = judge(o, file, allPadding, true);
    for (long off : distinctBytes) {
      STATS.computeIfAbsent(s.regionAt(off).kind(), k -> new long[2])[o.error == null ? 1 : 0]++;
    }
    if (problem != null) {
      failures.add(problem + "\n  " + desc + describe(o.error));
      return false;
    }
    return o.error == null;
  }

  private void truncationTrial(Shape s, long cut, long seed, List<String> failures) throws IOException {
    byte[] copy = Arrays.copyOf(s.bytes, (int) cut);
    String desc = "truncation on " + s.name + " at offset " + cut + " of " + s.bytes.length
        + (cut < s.bytes.length ? " (inside " + s.regionAt(cut) + ")" : "") + ", trial seed " + seed;
    Path file = writeCopy(s, copy);
    Outcome o = runOne(file, s, seed, new Random(seed), desc, ReaderOptions.defaults(), true);
    Files.deleteIfExists(file);
    String problem = judge(o, file, false, true);
    if (problem != null) {
      failures.add(problem + "\n  " + desc + describe(o.error));
    }
  }

  private static Path writeCopy(Shape s, byte[] bytes) throws IOException {
    Path file = dir.resolve("trial-" + s.name + "-" + FILE_COUNTER.incrementAndGet() + ".weft").toAbsolutePath();
    Files.write(file, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    return file;
  }

  private static Outcome runOne(Path file, Shape s, long seed, Random rnd, String desc, ReaderOptions options,
      boolean compare) {
    return assertTimeoutPreemptively(TRIAL_TIMEOUT, () -> readEverything(file, s, rnd, options, compare),
        () -> "reading hung (more than " + TRIAL_TIMEOUT + "): " + desc);
  }

  /** Returns null if the outcome is acceptable, else what is wrong with it. */
  private static String judge(Outcome o, Path file, boolean allFlipsInPadding, boolean valuesMustMatch) {
    if (o.error == null) {
      if (allFlipsInPadding || !valuesMustMatch) {
        return null;
      }
      return "UNDETECTED CORRUPTION: the file read back with all values equal although a checksummed byte changed";
    }
    if (!o.weftError) {
      if (o.error instanceof AssertionError) {
        return "SILENTLY WRONG RESULT (no exception): " + o.error.getMessage();
      }
      return "WRONG EXCEPTION TYPE " + o.error.getClass().getName() + " (expected a WeftException)";
    }
    String msg = o.error.getMessage();
    if (msg == null || !msg.contains(file.toString())) {
      return "WeftException message does not name the file " + file + ": " + msg;
    }
    if (!file.equals(((WeftException) o.error).file())) {
      return "WeftException.file() is " + ((WeftException) o.error).file() + ", not " + file;
    }
    return null;
  }

  private static String describe(Throwable t) {
    if (t == null) {
      return "\n  outcome: read back without error";
    }
    StringBuilder sb = new StringBuilder("\n  outcome: ").append(t);
    StackTraceElement[] st = t.getStackTrace();
    for (int i = 0; i < Math.min(10, st.length); i++) {
      sb.append("\n      at ").append(st[i]);
    }
    Throwable c = t.getCause();
    if (c != null && c != t) {
      sb.append("\n    caused by ").append(c);
      StackTraceElement[] cs = c.getStackTrace();
      for (int i = 0; i < Math.min(6, cs.length); i++) {
        sb.append("\n      at ").append(cs[i]);
      }
    }
    return sb.toString();
  }

  @AfterAll
  static void printStats() {
    StringBuilder sb = new StringBuilder("[CorruptionFuzzTest] flipped bytes by structure (detected/unchanged):");
    STATS.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v[0]).append('/').append(v[1]));
    System.out.println(sb);
  }

  /**
   * With checksum verification off, flipped mini-block bytes may give different values, but the
   * reader must still never fail with anything but a {@link WeftException}.
   */
  @TestFactory
  Stream<DynamicTest> miniBlockFlipsWithoutChecksums() {
    return SHAPES.stream().filter(s -> !s.regionsOf(Kind.MINI_BLOCK).isEmpty())
        .map(s -> DynamicTest.dynamicTest(s.name, () -> {
          List<String> failures = new ArrayList<>();
          List<Region> blocks = s.regionsOf(Kind.MINI_BLOCK);
          for (int t = 0; t < NO_CHECKSUM_TRIALS; t++) {
            long seed = trialSeed(s, Mode.TARGETED, 1000 + t);
            Random rnd = new Random(seed);
            byte[] copy = s.bytes.clone();
            StringBuilder desc = new StringBuilder("mini-block flips with checksums off on " + s.name
                + ", trial seed " + seed + ", flipped bits:");
            int flips = 1 + rnd.nextInt(3);
            for (int i = 0; i < flips; i++) {
              Region reg = blocks.get(rnd.nextInt(blocks.size()));
              long offset = reg.start() + (long) (rnd.nextDouble() * reg.length());
              int bit = rnd.nextInt(8);
              copy[(int) offset] ^= (byte) (1 << bit);
              desc.append("\n    offset ").append(offset).append(" bit ").append(bit).append(" in ").append(reg);
            }
            Path file = writeCopy(s, copy);
            Outcome o = runOne(file, s, seed, rnd, desc.toString(),
                ReaderOptions.defaults().withVerifyChecksums(false), false);
            Files.deleteIfExists(file);
            String problem = judge(o, file, false, false);
            if (problem != null) {
              failures.add(problem + "\n  " + desc + describe(o.error));
            }
          }
          if (!failures.isEmpty()) {
            fail(failures.size() + " of " + NO_CHECKSUM_TRIALS + " trials failed:\n"
                + String.join("\n\n", failures.subList(0, Math.min(8, failures.size()))));
          }
        }));
  }

  /**
   * Flips bits inside one structure and then recomputes every checksum of the file, so that the
   * reader's structural validation (not its checksums) must catch the damage. Values may differ
   * silently (a flipped value byte with a matching checksum is undetectable by design), but the
   * reader must never fail with anything but a {@link WeftException} naming the file, nor hang.
   */
  @TestFactory
  Stream<DynamicTest> flipsWithRepairedChecksums() {
    return SHAPES.stream().map(s -> DynamicTest.dynamicTest(s.name, () -> {
      List<String> failures = new ArrayList<>();
      List<Kind> kinds = new ArrayList<>();
      for (Kind k : Kind.values()) {
        if (k.covered() && !s.regionsOf(k).isEmpty()) {
          kinds.add(k);
        }
      }
      int detected = 0;
      for (int t = 0; t < REPAIRED_CHECKSUM_TRIALS; t++) {
        long seed = trialSeed(s, Mode.TARGETED, 5000 + t);
        Random rnd = new Random(seed);
        Kind kind = kinds.get(t % kinds.size());
        List<Region> regions = s.regionsOf(kind);
        Region reg = regions.get(rnd.nextInt(regions.size()));
        byte[] copy = s.bytes.clone();
        StringBuilder desc = new StringBuilder("flips in " + kind + " with all checksums recomputed on "
            + s.name + ", trial seed " + seed + ", flipped bits:");
        int flips = 1 + rnd.nextInt(3);
        for (int i = 0; i < flips; i++) {
          long offset = reg.start() + (long) (rnd.nextDouble() * reg.length());
          int bit = rnd.nextInt(8);
          copy[(int) offset] ^= (byte) (1 << bit);
          desc.append("\n    offset ").append(offset).append(" bit ").append(bit).append(" in ").append(reg);
        }
        s.repairChecksums(copy);
        Path file = writeCopy(s, copy);
        Outcome o = runOne(file, s, seed, rnd, desc.toString(), ReaderOptions.defaults(), false);
        Files.deleteIfExists(file);
        if (o.error != null) {
          detected++;
        }
        String problem = judge(o, file, false, false);
        if (problem != null) {
          failures.add(problem + "\n  " + desc + describe(o.error));
        }
      }
      System.out.printf("[CorruptionFuzzTest] %s REPAIRED_CHECKSUMS: %d trials, %d detected, %d failures%n",
          s.name, REPAIRED_CHECKSUM_TRIALS, detected, failures.size());
      if (!failures.isEmpty()) {
        fail(failures.size() + " of " + REPAIRED_CHECKSUM_TRIALS + " trials on " + s.name + " (base seed "
            + BASE_SEED + ") failed:\n" + String.join("\n\n", failures.subList(0, Math.min(8, failures.size()))));
      }
    }));
  }

  // ---------------------------------------------------------------------------------------------
  // Specific malformed files

  private static Shape shape(String name) {
    return SHAPES.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
  }

  private static <T extends WeftException> T assertOpenFails(Class<T> type, Path file) {
    T e = assertThrows(type, () -> {
      try (WeftReader r = WeftReader.open(file)) {
        r.schema();
      }
    });
    assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()),
        "message names the file: " + e.getMessage());
    return e;
  }

  @Test
  void wrongMagicAtStart() throws IOException {
    Shape s = shape("allTypes-zstd");
    byte[] copy = s.bytes.clone();
    copy[0] = 'X';
    Path file = writeCopy(s, copy);
    CorruptFileException e = assertOpenFails(CorruptFileException.class, file);
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void wrongMagicAtEnd() throws IOException {
    Shape s = shape("allTypes-zstd");
    byte[] copy = s.bytes.clone();
    copy[copy.length - 1] = 'X';
    Path file = writeCopy(s, copy);
    CorruptFileException e = assertOpenFails(CorruptFileException.class, file);
    assertTrue(e.getMessage().contains("magic"), e.getMessage());
  }

  @Test
  void emptyFile() throws IOException {
    Path file = writeCopy(shape("allTypes-zstd"), new byte[0]);
    assertOpenFails(CorruptFileException.class, file);
  }

  @Test
  void tenRandomBytes() throws IOException {
    byte[] b = new byte[10];
    new Random(BASE_SEED).nextBytes(b);
    Path file = writeCopy(shape("allTypes-zstd"), b);
    assertOpenFails(CorruptFileException.class, file);
  }

  @Test
  void randomBytesOfPlausibleLength() throws IOException {
    for (int t = 0; t < 20; t++) {
      Random rnd = new Random(BASE_SEED + t);
      byte[] b = new byte[56 + rnd.nextInt(5000)];
      rnd.nextBytes(b);
      if (t % 2 == 0) { // with both magics in place, so parsing goes further
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(0, WeftFormat.MAGIC).putInt(b.length - 4, WeftFormat.MAGIC)
            .putShort(b.length - 8, (short) 1).putShort(b.length - 6, (short) 0);
      }
      Path file = writeCopy(shape("allTypes-zstd"), b);
      assertOpenFails(CorruptFileException.class, file);
    }
  }

  @Test
  void parquetFileIsRejected() {
    Path parquet = Paths.get("/work/shared/testdata/real/fashion-mnist-test.parquet");
    Assumptions.assumeTrue(Files.isReadable(parquet), "no Parquet test file at " + parquet);
    CorruptFileException e = assertOpenFails(CorruptFileException.class, parquet);
    assertTrue(e.getMessage().contains("not a Weft file"), e.getMessage());
  }

  @Test
  void nextMajorVersionInTailIsTooNew() throws IOException {
    Shape s = shape("allTypes-zstd");
    byte[] copy = s.bytes.clone();
    int next = WeftFormat.VERSION_MAJOR_CURRENT + 1;
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(copy.length - 8, (short) next);
    Path file = writeCopy(s, copy);
    FormatTooNewException e = assertOpenFails(FormatTooNewException.class, file);
    assertTrue(e.getMessage().contains(next + "." + WeftFormat.VERSION_MINOR_CURRENT),
        "message mentions the version: " + e.getMessage());
  }

  @Test
  void nextMajorVersionInHeaderAndTailIsTooNew() throws IOException {
    Shape s = shape("allTypes-zstd");
    int next = WeftFormat.VERSION_MAJOR_CURRENT + 1;
    byte[] copy = setVersion(s.bytes, next, 3);
    Path file = writeCopy(s, copy);
    FormatTooNewException e = assertOpenFails(FormatTooNewException.class, file);
    assertTrue(e.getMessage().contains(next + ".3"), "message mentions the version: " + e.getMessage());
  }

  @Test
  void newerMinorVersionIsReadable() throws IOException {
    for (Shape s : SHAPES) {
      byte[] copy = setVersion(s.bytes, WeftFormat.VERSION_MAJOR_CURRENT, 9);
      Path file = writeCopy(s, copy);
      try (WeftReader r = WeftReader.open(file)) {
        assertEquals(WeftFormat.VERSION_MAJOR_CURRENT + ".9", r.formatVersion());
      }
      // Every value still reads back; only the version differs from the original.
      Outcome o = readMinorNine(file, s);
      if (o.error != null) {
        throw new AssertionError("file with minor version 9 (" + s.name + ") does not read back", o.error);
      }
    }
  }

  @Test
  void newerMinorInTailOnlyIsInconsistent() throws IOException {
    Shape s = shape("allTypes-zstd");
    byte[] copy = s.bytes.clone();
    ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN).putShort(copy.length - 6, (short) 9);
    Path file = writeCopy(s, copy);
    assertOpenFails(CorruptFileException.class, file);
  }

  @Test
  void headerFromAnotherFileIsDetected() throws IOException {
    Shape a = shape("allTypes-zstd");
    Shape b = shape("allTypes-lz4");
    byte[] copy = a.bytes.clone();
    System.arraycopy(b.bytes, 0, copy, 0, WeftFormat.HEADER_LENGTH);
    Path file = writeCopy(a, copy);
    CorruptFileException e = assertOpenFails(CorruptFileException.class, file);
    assertTrue(e.getMessage().contains("file id"), e.getMessage());
  }

  @Test
  void regionsMapWholeFile() {
    for (Shape s : SHAPES) {
      long covered = 0;
      long pad = 0;
      for (Region r : s.regions) {
        if (r.kind() != Kind.PADDING) {
          covered += r.length();
        } else {
          pad += r.length();
        }
      }
      assertEquals(s.bytes.length, covered + pad, s.name);
      System.out.printf("[CorruptionFuzzTest] %s: %d bytes, %d structures, %d padding bytes, %d checksums,"
          + " %d checksummed structures without elements%n", s.name, s.bytes.length, s.regions.size(), pad,
          s.checksums.size(), s.dataless.size());
      assertFalse(s.regionsOf(Kind.COLUMN_META).isEmpty(), s.name);
      if (s.expected.getRowCount() > 0) {
        assertFalse(s.regionsOf(Kind.MINI_BLOCK).isEmpty(), s.name);
        assertTrue(s.regionsOf(Kind.BLOCK_TABLE).size() > 1, s.name);
      }
      // Padding is a small share of the file, so random flips mostly hit checksummed bytes.
      assertTrue(pad * 4 < s.bytes.length, s.name + ": " + pad + " padding bytes of " + s.bytes.length);
    }
  }

  /** Header and tail set to {@code major.minor}, with the header checksum recomputed. */
  static byte[] setVersion(byte[] original, int major, int minor) {
    byte[] copy = original.clone();
    ByteBuffer b = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    b.putShort(4, (short) major).putShort(6, (short) minor);
    b.putInt(28, Checksums.crc32c(copy, 0, 28));
    b.putShort(copy.length - 8, (short) major).putShort(copy.length - 6, (short) minor);
    return copy;
  }

  private static Outcome readMinorNine(Path file, Shape s) {
    // readEverything checks the version is 1.0; check the rest with a shape view of this file.
    BufferAllocator allocator = new RootAllocator();
    try (allocator; WeftReader r = WeftReader.open(file, allocator)) {
      ArrowAssert.assertSchemaEquals(s.expected.getSchema(), r.schema());
      scanAll(r, s.expected, 33, true);
      takeAll(r, s.expected, new Random(9), true);
      return new Outcome(null, false);
    } catch (Throwable t) {
      return new Outcome(t, false);
    }
  }

  /**
   * A list mini-block whose last offset points far past the child's elements (bit 31 set, so the
   * offsets still ascend and the block's length is still right) must be reported as corruption,
   * both with checksums off and with every checksum recomputed to match.
   */
  @Test
  void listOffsetPastTheChildElementsIsCorruption() throws IOException {
    List<String> failures = new ArrayList<>();
    for (Shape s : SHAPES) {
      long at = lastListOffsetOfSomeBlock(s);
      if (at < 0) {
        continue;
      }
      for (boolean repair : new boolean[] {false, true}) {
        byte[] copy = s.bytes.clone();
        copy[(int) at + 3] ^= (byte) 0x80;
        if (repair) {
          s.repairChecksums(copy);
        }
        Path file = writeCopy(s, copy);
        String desc = "last list offset at " + at + " (in " + s.regionAt(at) + ") of " + s.name
            + " with bit 31 flipped, " + (repair ? "all checksums recomputed" : "checksums not verified");
        Outcome o = runOne(file, s, 1, new Random(1),
            desc, ReaderOptions.defaults().withVerifyChecksums(repair), false);
        Files.deleteIfExists(file);
        String problem = o.error == null ? "not detected" : judge(o, file, false, false);
        if (problem != null) {
          failures.add(problem + "\n  " + desc + describe(o.error));
        }
      }
    }
    if (!failures.isEmpty()) {
      fail(String.join("\n\n", failures));
    }
  }

  /**
   * A file whose checksums all match but whose only page declares 153,391,690 blocks (and as
   * many rows), so that the block table length {@code numBlocks * 28} overflows 32 bits to 24
   * bytes and passes the page-inside-row-group check. Reading must report corruption, not run
   * out of memory allocating the table.
   */
  @Test
  void blockCountWhoseTableLengthOverflowsIsCorruption() throws IOException {
    Schema schema = new Schema(List.of(new Field("x", FieldType.nullable(new ArrowType.Int(32, true)), null)));
    Path src = dir.resolve("one-int-column.weft");
    try (BufferAllocator a = new RootAllocator();
        VectorSchemaRoot data = RandomArrow.generate(schema, 10, 1, a, 0.0)) {
      try (WeftWriter w = WeftWriter.open(src, schema, WriterOptions.defaults())) {
        w.write(data);
      }
      byte[] bytes = Files.readAllBytes(src);
      Shape shape = new Shape("one-int-column", src, bytes, data, mapRegions(src, bytes));
      ByteBuffer b = ByteBuffer.wrap(bytes.clone()).order(ByteOrder.LITTLE_ENDIAN);
      long blocks = ((1L << 32) + 24) / WeftFormat.BLOCK_ENTRY_LENGTH; // * 28 == 2^32 + 24
      assertEquals((1L << 32) + 24, blocks * WeftFormat.BLOCK_ENTRY_LENGTH);
      long rows = blocks;
      int size = bytes.length;
      int footer = (int) b.getLong(size - WeftFormat.TAIL_LENGTH);
      assertEquals(1, b.getInt(footer + 12), "one row group");
      b.putLong(footer, rows); // footer row count
      b.putLong(footer + 24, rows); // row group 0 row count
      Footer f = Footer.decode(slice(bytes, footer, size - WeftFormat.TAIL_LENGTH - footer), src, footer);
      ColumnDirectory d = ColumnDirectory.decode(slice(bytes, f.directoryOffset(), f.directoryLength()), 1, src,
          f.directoryOffset());
      long meta = d.entry(0).metaOffset();
      long pos = meta + WeftFormat.align(4 + (b.getInt((int) meta) & 0xFFFF_FFFFL));
      assertEquals(1, b.getInt((int) pos), "one node");
      pos += 4 + 8 + 8; // node count, the node, page count + reserved
      int page = (int) pos;
      assertEquals(1, b.getInt(page - 8), "one page");
      b.putInt(page + 8, (int) rows); // page row count
      b.putInt(page + 12, (int) blocks); // page block count
      b.putLong(page + 24, rows); // page element count
      byte[] copy = b.array();
      shape.repairChecksums(copy);
      Path file = writeCopy(shape, copy);
      String desc = "page of 'x' patched to " + rows + " rows and " + blocks + " blocks, checksums recomputed";
      Outcome o = runOne(file, shape, 1, new Random(1), desc, ReaderOptions.defaults(), false);
      Files.deleteIfExists(file);
      String problem = o.error == null ? "not detected" : judge(o, file, false, false);
      if (problem != null) {
        fail(problem + "\n  " + desc + describe(o.error));
      }
    }
  }

  /** File offset of the last u32 offset of the first uncompressed, non-empty LIST mini-block, or -1. */
  private static long lastListOffsetOfSomeBlock(Shape s) throws IOException {
    try (WeftReader r = WeftReader.open(s.file)) {
      for (int c = 0; c < r.numColumns(); c++) {
        ColumnMeta meta = r.columnMeta(c);
        for (ColumnNode node : meta.layout().nodes()) {
          if (node.kind() != dev.weft.format.NodeKind.LIST) {
            continue;
          }
          for (PageMeta page : meta.pagesPerNode().get(node.index())) {
            BlockTable t = BlockTable.decode(slice(s.bytes, page.tableOffset(), page.tableLength()), page, s.file,
                r.columnName(c));
            for (int b = 0; b < t.size(); b++) {
              long n = t.elemEnd(b) - t.elemStart(b);
              if (t.codec(b) == Codec.NONE && !t.encoded(b) && n > 0) {
                return page.offset() + t.offset(b)
                    + dev.weft.format.MiniBlock.offsetsPosition(node.kind(), n, t.hasValidity(b)) + 4 * n;
              }
            }
          }
        }
      }
    }
    return -1;
  }

  @Test
  void fixedWidthShapeExercisesZeroCopyScans() throws IOException {
    Shape s = shape("fixedWidth-none");
    try (BufferAllocator a = new RootAllocator(); WeftReader r = WeftReader.open(s.file, a)) {
      try (WeftScanner sc = r.scan(null, 200)) {
        while (sc.hasNext()) {
          sc.next().close();
        }
      }
      assertTrue(r.stats().zeroCopyBuffers() > 0, "no zero-copy buffer in a scan of " + s.name);
    }
  }

  @Test
  void uncheckedIoFromScannerWrapsWeftException() throws IOException {
    // A flipped byte in the first mini-block surfaces from next() as UncheckedIOException.
    Shape s = shape("allTypes-none");
    Region first = s.regionsOf(Kind.MINI_BLOCK).get(0);
    byte[] copy = s.bytes.clone();
    copy[(int) first.start()] ^= 1;
    Path file = writeCopy(s, copy);
    try (WeftReader r = WeftReader.open(file); WeftScanner sc = r.scan(null, 1000)) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> sc.next().close());
      CorruptFileException c = assertInstanceOf(CorruptFileException.class, e.getCause());
      assertTrue(c.getMessage().contains(file.toString()), c.getMessage());
    }
  }
}
