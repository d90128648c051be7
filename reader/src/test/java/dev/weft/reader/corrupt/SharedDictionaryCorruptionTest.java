package dev.weft.reader.corrupt;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.BlockTable;
import dev.weft.format.Codec;
import dev.weft.format.CorruptFileException;
import dev.weft.format.DictionaryMeta;
import dev.weft.format.PageMeta;
import dev.weft.format.encoding.SharedDictionary;
import dev.weft.reader.EncodingColumns;
import dev.weft.reader.ReaderOptions;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged shared dictionaries (format 4.0) in a real file, with checksums skipped and with every
 * checksum recomputed: a block code out of range, a dictionary cut short, a wrong entry count, a
 * dictionary reference past the list. Scans and takes fail with a {@link CorruptFileException}
 * naming the file and the column, never with wrong values or an exception from a decoder.
 */
class SharedDictionaryCorruptionTest {
  private static final String COLUMN = "enc_lowcard_i64";
  @TempDir Path dir;

  private record Fixture(Path file, byte[] bytes, CorruptionFuzzTest.Shape shape, DictionaryMeta dict,
      long dictMetaAt, long codesAt, long pageMetaAt) {}

  private Fixture write(BufferAllocator alloc, VectorSchemaRoot data) throws Exception {
    Path file = dir.resolve("shared.weft");
    try (WeftWriter w = WeftWriter.open(file, data.getSchema(), WriterOptions.builder().compression(Codec.NONE).build())) {
      w.write(data);
    }
    byte[] bytes = Files.readAllBytes(file);
    CorruptionFuzzTest.Shape shape = new CorruptionFuzzTest.Shape("shared", file, bytes, data,
        CorruptionFuzzTest.mapRegions(file, bytes));
    try (WeftReader r = WeftReader.open(file, alloc)) {
      int c = r.columnIndex(COLUMN);
      DictionaryMeta d = r.columnMeta(c).dictionariesPerNode().get(0).get(0);
      PageMeta page = r.columnMeta(c).pagesPerNode().get(0).get(0);
      assertTrue(page.dictionary() == 1, "page 0 names dictionary 0: " + page);
      BlockTable t = BlockTable.decode(ByteBuffer.wrap(bytes, (int) page.tableOffset(), page.tableLength())
          .slice().order(ByteOrder.LITTLE_ENDIAN), page, file, COLUMN);
      long codesAt = -1;
      for (int b = 0; b < t.size() && codesAt < 0; b++) {
        if (t.encoded(b) && t.scheme(b) == SharedDictionary.INT_ID && !t.hasValidity(b) && t.codec(b) == Codec.NONE) {
          codesAt = page.offset() + t.offset(b) + 1;
        }
      }
      assertTrue(codesAt > 0, "no uncompressed block of shared dictionary codes in " + COLUMN);
      return new Fixture(file, bytes, shape, d, find(bytes, encode(d)), codesAt, find(bytes, encode(page)));
    }
  }

  private static byte[] encode(DictionaryMeta d) {
    return ByteBuffer.allocate(DictionaryMeta.LENGTH).order(ByteOrder.LITTLE_ENDIAN).putLong(d.offset())
        .putInt(d.storedLength()).putInt(d.rawLength()).putInt(d.crc()).putInt(d.flags()).putInt(d.numEntries())
        .putInt(0).array();
  }

  private static byte[] encode(PageMeta p) {
    return ByteBuffer.allocate(56).order(ByteOrder.LITTLE_ENDIAN).putLong(p.firstRow()).putInt(p.numRows())
        .putInt(p.numBlocks()).putLong(p.firstElement()).putLong(p.numElements()).putLong(p.offset())
        .putInt(p.dataLength()).putInt(p.tableCrc()).putInt(p.encoding()).putInt(p.dictionary()).array();
  }

  private static long find(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new AssertionError("structure not found in the file");
  }

  private void assertCorrupt(Fixture f, BufferAllocator alloc, String what, Consumer<ByteBuffer> damage)
      throws Exception {
    for (boolean repair : new boolean[] {false, true}) {
      byte[] copy = f.bytes().clone();
      damage.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
      if (repair) {
        f.shape().repairChecksums(copy);
      }
      Path bad = dir.resolve("bad-" + what.replace(' ', '-') + "-" + repair + ".weft");
      Files.write(bad, copy);
      ReaderOptions options = ReaderOptions.defaults().withVerifyChecksums(repair);
      try (WeftReader r = WeftReader.open(bad, alloc, options)) {
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> {
          try (WeftScanner s = r.scan(List.of(COLUMN), 100_000)) {
            while (s.hasNext()) {
              s.nextBatch().close();
            }
          }
        }, what + ", checksums " + (repair ? "recomputed" : "off"));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains(COLUMN), e.getMessage());
      }
      try (WeftReader r = WeftReader.open(bad, alloc, options)) {
        long[] all = new long[(int) r.numRows()];
        for (int i = 0; i < all.length; i++) {
          all[i] = i;
        }
        assertThrows(CorruptFileException.class, () -> r.take(all, List.of(COLUMN)).close(), what + " (take)");
      }
    }
  }

  @Test
  void damagedDictionariesAndCodesAreCorruption() throws Exception {
    try (BufferAllocator alloc = new RootAllocator();
        VectorSchemaRoot data = EncodingColumns.generate(6000, 7, alloc)) {
      Fixture f = write(alloc, data);
      long meta = f.dictMetaAt();
      int entries = f.dict().numEntries();
      // a code out of range: the codes' frame of reference (or first plain code) raised past the 5 entries
      int codesScheme = f.bytes()[(int) f.codesAt()] & 0xFF;
      assertTrue(codesScheme == 2 || codesScheme == 0, "codes stream scheme " + codesScheme);
      assertCorrupt(f, alloc, "code out of range", b -> b.put((int) f.codesAt() + 2,
          (byte) 0x7E));
      assertCorrupt(f, alloc, "entry count plus one", b -> b.putInt((int) meta + 24, entries + 1));
      assertCorrupt(f, alloc, "entry count minus one", b -> b.putInt((int) meta + 24, entries - 1));
      assertCorrupt(f, alloc, "entry count zero", b -> b.putInt((int) meta + 24, 0));
      assertCorrupt(f, alloc, "unknown dictionary flag", b -> b.putInt((int) meta + 20, 1 << 5));
      assertCorrupt(f, alloc, "truncated dictionary", b -> {
        b.putInt((int) meta + 8, f.dict().storedLength() - 1);
        b.putInt((int) meta + 12, f.dict().rawLength() - 1);
      });
      assertCorrupt(f, alloc, "dictionary bytes damaged", b -> b.put((int) f.dict().offset(),
          (byte) (b.get((int) f.dict().offset()) ^ 0x40)));
      assertCorrupt(f, alloc, "page names a missing dictionary", b -> b.putInt((int) f.pageMetaAt() + 52, 7));
    }
  }
}
