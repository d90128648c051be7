package dev.weft.reader.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.format.FileTail;
import dev.weft.format.Footer;
import dev.weft.format.WeftFormat;
import dev.weft.index.Expr;
import dev.weft.index.NameIndex;
import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.writer.WriterOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged index structure (name index root or chunk, zone map, bloom filter) fails its
 * checksum; the reader then ignores it, finds columns through the directory and reads the data
 * instead of pruning, so every answer stays the same. The fallback is counted.
 */
class IndexCorruptionTest {
  @TempDir Path dir;

  static final List<Expr> QUERIES = List.of(
      Expr.and(Expr.ge(Expr.col("id"), Expr.lit(5000)), Expr.lt(Expr.col("id"), Expr.lit(5100))),
      Expr.eq(Expr.col("city"), Expr.lit("ZRH")),
      Expr.or(Expr.eq(Expr.col("city"), Expr.lit("NYC")), Expr.lt(Expr.col("x"), Expr.lit(0.001))));

  static List<Long> ids(WeftReader r, Expr e) throws Exception {
    List<Long> out = new ArrayList<>();
    try (WeftScanner s = r.scan(List.of("id"), e, 5000)) {
      while (s.hasNext()) {
        try (VectorSchemaRoot b = s.next()) {
          BigIntVector v = (BigIntVector) b.getVector(0);
          for (int i = 0; i < b.getRowCount(); i++) {
            out.add(v.get(i));
          }
        }
      }
    }
    return out;
  }

  @Test
  void damagedIndexStructuresAreIgnoredNeverTrusted() throws Exception {
    Path good = PruningTest.write(dir, 100_000,
        WriterOptions.builder().maxRowGroupRows(20_000).bloomFilter("city", 0.01).build());
    List<List<Long>> expected = new ArrayList<>();
    try (WeftReader r = WeftReader.open(good)) {
      for (Expr q : QUERIES) {
        expected.add(ids(r, q));
      }
      assertEquals(0, r.stats().indexFallbacks());
    }
    byte[] bytes = Files.readAllBytes(good);
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    FileTail tail = FileTail.decode(buf.slice(bytes.length - WeftFormat.TAIL_LENGTH, WeftFormat.TAIL_LENGTH)
        .order(ByteOrder.LITTLE_ENDIAN), good, bytes.length);
    Footer footer = Footer.decode(buf.slice((int) tail.footerOffset(), tail.footerLength())
        .order(ByteOrder.LITTLE_ENDIAN), good, tail.footerOffset());
    Footer.IndexRef ref = footer.index();
    NameIndex.Root root = NameIndex.decodeRoot(buf.slice((int) ref.offset(), ref.length())
        .order(ByteOrder.LITTLE_ENDIAN), good, ref.offset(), tail.footerOffset());
    NameIndex.Ref chunkRef = root.chunks().get(0).ref();
    List<NameIndex.Entry> chunk = NameIndex.decodeChunk(buf.slice((int) chunkRef.offset(), chunkRef.length())
        .order(ByteOrder.LITTLE_ENDIAN), good, chunkRef.offset(), tail.footerOffset(), 3);
    NameIndex.Entry id = NameIndex.find(chunk, "id");
    NameIndex.Entry city = NameIndex.find(chunk, "city");
    long[] targets = {
      ref.offset() + 2, // root
      chunkRef.offset() + 9, // the chunk of names
      id.zones().offset() + 40, // zone map of id
      id.zones().offset() + id.zones().length() - 3,
      city.blooms().offset() + city.blooms().length() / 2, // bloom filter of city
    };
    for (long at : targets) {
      byte[] bad = bytes.clone();
      bad[(int) at] ^= 0x10;
      Path p = dir.resolve("bad-" + at + ".weft");
      Files.write(p, bad);
      try (WeftReader r = WeftReader.open(p)) {
        for (int q = 0; q < QUERIES.size(); q++) {
          assertEquals(expected.get(q), ids(r, QUERIES.get(q)), "flip at " + at + ", " + QUERIES.get(q));
          assertEquals(expected.get(q).size(), r.count(QUERIES.get(q)));
        }
        assertTrue(r.stats().indexFallbacks() > 0, "flip at " + at + " went unnoticed");
        assertEquals(1, r.columnIndex("x"));
      }
    }
  }
}
