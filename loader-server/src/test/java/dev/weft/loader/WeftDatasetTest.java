package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testdata.ArrowAssert;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening datasets of files and directories, global row ids, schema checks and fingerprints. */
class WeftDatasetTest {
  @TempDir Path dir;

  @Test
  void directoriesAreSortedAndRowIdsAreGlobal() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      Path data = dir.resolve("data");
      // written out of order; the dataset must sort them by path, including a subdirectory
      e.add(data.resolve("b.weft"), Fixtures.simpleSchema(), 0, 2, Fixtures.small(), alloc);
      e.add(data.resolve("a.weft"), Fixtures.simpleSchema(), 53, 1, Fixtures.small(), alloc);
      e.add(data.resolve("c/d.weft"), Fixtures.simpleSchema(), 70, 3, Fixtures.small(), alloc);
      Files.writeString(data.resolve("notes.txt"), "not a weft file");
      try (WeftDataset ds = WeftDataset.open(List.of(data), alloc)) {
        assertEquals(List.of(data.resolve("a.weft"), data.resolve("b.weft"), data.resolve("c/d.weft")),
            ds.files());
        assertEquals(3, ds.numFiles());
        assertEquals(123, ds.numRows());
        assertArrayEquals(new long[] {0, 53, 53}, new long[] {ds.firstRow(0), ds.firstRow(1), ds.firstRow(2)});
        assertEquals(0, ds.fileOf(0));
        assertEquals(0, ds.fileOf(52));
        assertEquals(2, ds.fileOf(53)); // the empty file 1 holds no row
        assertEquals(2, ds.fileOf(122));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.fileOf(123));
        assertThrows(IndexOutOfBoundsException.class, () -> ds.fileOf(-1));
        ArrowAssert.assertSchemaEquals(Fixtures.simpleSchema(), ds.schema());
        // global row 60 = row 7 of d.weft
        try (VectorSchemaRoot r = ds.reader(ds.fileOf(60)).take(new long[] {60 - ds.firstRow(2)}, null)) {
          ArrowAssert.assertRowsEqual(e.files.get(2), new int[] {7}, r);
        }
      }
    }
  }

  @Test
  void explicitFilesKeepTheirOrder() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("x.weft"), Fixtures.simpleSchema(), 10, 1, Fixtures.small(), alloc);
      e.add(dir.resolve("y.weft"), Fixtures.simpleSchema(), 20, 2, Fixtures.small(), alloc);
      try (WeftDataset yx = WeftDataset.open(List.of(dir.resolve("y.weft"), dir.resolve("x.weft")), alloc);
          WeftDataset xy = WeftDataset.open(List.of(dir.resolve("x.weft"), dir.resolve("y.weft")), alloc)) {
        assertEquals(20, yx.firstRow(1));
        assertEquals(10, xy.firstRow(1));
        assertNotEquals(xy.fingerprint(), yx.fingerprint(), "the order of files is part of the fingerprint");
      }
    }
  }

  @Test
  void schemaMismatchNamesBothFilesAndTheColumn() throws Exception {
    Schema other = new Schema(List.of(Fixtures.simpleSchema().getFields().get(0),
        Field.nullable("i32", new ArrowType.Int(64, true))));
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      e.add(dir.resolve("a.weft"), Fixtures.simpleSchema(), 5, 1, Fixtures.small(), alloc);
      e.add(dir.resolve("b.weft"), other, 5, 2, Fixtures.small(), alloc);
      long before = alloc.getAllocatedMemory();
      IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
          () -> WeftDataset.open(List.of(dir), alloc).close());
      String m = ex.getMessage();
      assertTrue(m.contains("a.weft") && m.contains("b.weft") && m.contains("column 1") && m.contains("i32"), m);
      assertEquals(before, alloc.getAllocatedMemory());
    }
  }

  @Test
  void badInputsAreClearErrors() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      Files.createDirectories(dir.resolve("empty"));
      IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
          () -> WeftDataset.open(List.of(dir.resolve("empty")), alloc));
      assertTrue(none.getMessage().contains("no .weft files"), none.getMessage());
      assertThrows(NoSuchFileException.class, () -> WeftDataset.open(List.of(dir.resolve("missing.weft")), alloc));
      assertThrows(IllegalArgumentException.class, () -> WeftDataset.open(List.of(), alloc));
      e.add(dir.resolve("a.weft"), Fixtures.simpleSchema(), 5, 1, Fixtures.small(), alloc);
      IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
          () -> WeftDataset.open(List.of(dir.resolve("a.weft"), dir), alloc));
      assertTrue(twice.getMessage().contains("twice"), twice.getMessage());
      Files.writeString(dir.resolve("junk.weft"), "this is not a weft file at all, only text");
      long before = alloc.getAllocatedMemory();
      assertThrows(java.io.IOException.class, () -> WeftDataset.open(List.of(dir), alloc));
      assertEquals(before, alloc.getAllocatedMemory());
    }
  }

  @Test
  void fingerprintIsStableAndChangesWithContent() throws Exception {
    try (BufferAllocator alloc = new RootAllocator(); Fixtures.Expected e = new Fixtures.Expected()) {
      Path data = dir.resolve("data");
      e.add(data.resolve("a.weft"), Fixtures.simpleSchema(), 30, 1, Fixtures.small(), alloc);
      e.add(data.resolve("b.weft"), Fixtures.simpleSchema(), 40, 2, Fixtures.small(), alloc);
      DatasetFingerprint first;
      try (WeftDataset ds = WeftDataset.open(List.of(data), alloc)) {
        first = ds.fingerprint();
      }
      assertEquals(64, first.hex().length());
      assertEquals(first, DatasetFingerprint.ofHex(first.hex()));
      try (WeftDataset ds = WeftDataset.open(List.of(data))) {
        assertEquals(first, ds.fingerprint(), "reopening gives the same fingerprint");
      }
      // a copy elsewhere (same names, same bytes) is the same dataset
      Path copy = dir.resolve("copy");
      Files.createDirectories(copy);
      for (String n : List.of("a.weft", "b.weft")) {
        Files.copy(data.resolve(n), copy.resolve(n));
      }
      try (WeftDataset ds = WeftDataset.open(List.of(copy), alloc)) {
        assertEquals(first, ds.fingerprint(), "a moved dataset keeps its fingerprint");
      }
      // rewriting a file with exactly the same rows gives it a new file id
      Fixtures.write(copy.resolve("tmp.weft.new"), e.files.get(1), Fixtures.small(), alloc);
      Files.move(copy.resolve("tmp.weft.new"), copy.resolve("b.weft"), StandardCopyOption.REPLACE_EXISTING);
      try (WeftDataset ds = WeftDataset.open(List.of(copy), alloc)) {
        assertNotEquals(first, ds.fingerprint(), "a rewritten file changes the fingerprint");
        FingerprintMismatchException ex = assertThrows(FingerprintMismatchException.class,
            () -> ds.requireFingerprint(first, "the checkpoint"));
        assertTrue(ex.getMessage().contains(first.hex()) && ex.getMessage().contains(ds.fingerprint().hex())
            && ex.getMessage().contains("the checkpoint"), ex.getMessage());
        assertEquals(first, ex.expected());
      }
      // a renamed file changes it too
      Files.move(copy.resolve("b.weft"), copy.resolve("c.weft"));
      try (WeftDataset ds = WeftDataset.open(List.of(copy), alloc)) {
        assertNotEquals(first, ds.fingerprint());
      }
      assertThrows(IllegalArgumentException.class, () -> DatasetFingerprint.ofHex("abc"));
      assertThrows(IllegalArgumentException.class, () -> DatasetFingerprint.ofHex("z".repeat(64)));
    }
  }
}
