package dev.weft.reader.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.weft.reader.WeftReader;
import dev.weft.reader.WeftScanner;
import dev.weft.testdata.ArrowAssert;
import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file appears under its final name only when complete: the writer writes a hidden temporary
 * file in the same directory and renames it on close; abort and failures remove it.
 */
class AtomicWriteTest {
  private static final String NAME = "data.weft";
  private static final Schema SCHEMA = new Schema(List.of(
      Field.nullable("id", new ArrowType.Int(64, true)),
      Field.nullable("name", ArrowType.Utf8.INSTANCE)));
  /** A small budget so that row groups are flushed to the temporary file while writing. */
  private static final WriterOptions OPTIONS = WriterOptions.builder().memoryBudget(1 << 20).build();

  @TempDir Path dir;

  private static VectorSchemaRoot batch(int rows, long seed, BufferAllocator alloc) {
    return RandomArrow.generate(SCHEMA, rows, seed, alloc, 0.1);
  }

  private void assertOnlyTempFile() throws IOException {
    List<String> names = WriterTestSupport.listNames(dir);
    assertEquals(1, names.size(), "expected exactly one temporary file, found " + names);
    assertTrue(WriterTestSupport.tempPattern(NAME).matcher(names.get(0)).matches(),
        "not a hidden temporary file of " + NAME + ": " + names.get(0));
    assertFalse(Files.exists(dir.resolve(NAME)));
  }

  private void assertEmptyDir() throws IOException {
    assertEquals(List.of(), WriterTestSupport.listNames(dir));
  }

  /** Reads the whole file as one batch and compares it to {@code expected} batches back to back. */
  private static void assertFileHolds(Path file, BufferAllocator alloc, VectorSchemaRoot... expected)
      throws IOException {
    try (WeftReader r = WeftReader.open(file, alloc)) {
      long total = 0;
      for (VectorSchemaRoot e : expected) {
        total += e.getRowCount();
      }
      assertEquals(total, r.numRows());
      long from = 0;
      for (VectorSchemaRoot e : expected) {
        try (WeftScanner s = r.scan(null, Math.max(1, e.getRowCount()), from, from + e.getRowCount())) {
          if (e.getRowCount() > 0) {
            try (VectorSchemaRoot got = s.next()) {
              ArrowAssert.assertRootEquals(e, got);
            }
          }
        }
        from += e.getRowCount();
      }
    }
  }

  @Test
  void onlyTempFileWhileWritingThenFinalFileAfterClose() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot a = batch(20_000, 1, alloc);
        VectorSchemaRoot b = batch(5_000, 2, alloc)) {
      WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc);
      assertOnlyTempFile();
      w.write(a);
      w.write(b);
      assertOnlyTempFile();
      Path temp = dir.resolve(WriterTestSupport.tempFiles(dir, NAME).get(0));
      assertTrue(Files.size(temp) > 0, "row groups should have been flushed with a 1 MiB budget");
      assertThrows(NoSuchFileException.class, () -> WeftReader.open(file, alloc));
      w.close();
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
      assertFileHolds(file, alloc, a, b);
    }
  }

  @Test
  void abortLeavesNeitherFile() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator(); RootAllocator writerAlloc = new RootAllocator();
        VectorSchemaRoot a = batch(20_000, 3, alloc)) {
      WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, writerAlloc);
      w.write(a);
      w.write(a);
      assertOnlyTempFile();
      w.abort();
      assertEmptyDir();
      w.abort(); // idempotent
      assertThrows(IllegalStateException.class, () -> w.write(a));
      assertDoesNotThrow(w::close); // close after abort does nothing
      assertEmptyDir();
      assertEquals(0, writerAlloc.getAllocatedMemory(), "an aborted writer must release its memory");

      // abort right after open (nothing written)
      WeftWriter w2 = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc);
      assertOnlyTempFile();
      w2.abort();
      assertEmptyDir();
    }
  }

  @Test
  void schemaMismatchIsRefusedAndTheWriterStaysUsable() throws Exception {
    Path file = dir.resolve(NAME);
    Schema otherType = new Schema(List.of(Field.nullable("id", new ArrowType.Int(32, true)),
        Field.nullable("name", ArrowType.Utf8.INSTANCE)));
    Schema fewerColumns = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true))));
    Schema otherNullability = new Schema(List.of(
        new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null),
        Field.nullable("name", ArrowType.Utf8.INSTANCE)));
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot a = batch(3_000, 4, alloc);
        VectorSchemaRoot b = batch(2_000, 5, alloc);
        VectorSchemaRoot bad1 = RandomArrow.generate(otherType, 100, 6, alloc, 0.1);
        VectorSchemaRoot bad2 = RandomArrow.generate(fewerColumns, 100, 7, alloc, 0.1);
        VectorSchemaRoot bad3 = RandomArrow.generate(otherNullability, 100, 8, alloc, 0.0)) {
      try (WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc)) {
        w.write(a);
        for (VectorSchemaRoot bad : List.of(bad1, bad2, bad3)) {
          IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(bad));
          assertTrue(e.getMessage().contains(file.toAbsolutePath().toString()), e.getMessage());
          // no partial final file; the temporary file is still there
          assertOnlyTempFile();
        }
        assertEquals(3_000, w.rowsWritten());
        w.write(b); // still usable
        assertEquals(5_000, w.rowsWritten());
      }
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
      assertFileHolds(file, alloc, a, b);
    }
  }

  @Test
  void vectorShorterThanTheBatchAbortsTheWriter() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator(); RootAllocator writerAlloc = new RootAllocator();
        VectorSchemaRoot a = batch(3_000, 9, alloc);
        VectorSchemaRoot shortOne = batch(1_000, 10, alloc)) {
      shortOne.getVector("name").setValueCount(400); // the root still says 1,000 rows
      assertEquals(1_000, shortOne.getRowCount());
      WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, writerAlloc);
      w.write(a);
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.write(shortOne));
      assertTrue(e.getMessage().contains("name"), "message should name the column: " + e.getMessage());
      // WeftWriter: "any failure deletes the temporary file"; only a schema mismatch keeps it usable
      assertEmptyDir();
      assertThrows(IllegalStateException.class, () -> w.write(a));
      assertDoesNotThrow(w::close);
      assertEmptyDir();
      assertEquals(0, writerAlloc.getAllocatedMemory(), "an aborted writer must release its memory");
    }
  }

  @Test
  void existingFileIsNotReplacedWithoutOverwrite() throws Exception {
    Path file = dir.resolve(NAME);
    byte[] old = "not a weft file, but somebody's data".getBytes(StandardCharsets.UTF_8);
    Files.write(file, old);
    try (RootAllocator alloc = new RootAllocator()) {
      FileAlreadyExistsException e = assertThrows(FileAlreadyExistsException.class,
          () -> WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc));
      assertTrue(e.getMessage().contains(NAME), e.getMessage());
      assertArrayEquals(old, Files.readAllBytes(file));
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
      // the 3-argument open refuses too
      assertThrows(FileAlreadyExistsException.class, () -> WeftWriter.open(file, SCHEMA, WriterOptions.defaults()));
      assertArrayEquals(old, Files.readAllBytes(file));
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void fileAppearingWhileWritingIsNotReplacedWithoutOverwrite() throws Exception {
    Path file = dir.resolve(NAME);
    byte[] foreign = "written by someone else meanwhile".getBytes(StandardCharsets.UTF_8);
    try (RootAllocator alloc = new RootAllocator(); RootAllocator writerAlloc = new RootAllocator();
        VectorSchemaRoot a = batch(2_000, 11, alloc)) {
      WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, writerAlloc);
      w.write(a);
      Files.write(file, foreign);
      assertThrows(FileAlreadyExistsException.class, w::close);
      assertArrayEquals(foreign, Files.readAllBytes(file));
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir), "the temporary file must be removed");
      assertThrows(IllegalStateException.class, () -> w.write(a));
      assertEquals(0, writerAlloc.getAllocatedMemory(), "a failed close must release the writer's memory");
    }
  }

  @Test
  void overwriteReplacesTheFileAtomicallyOnClose() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot oldData = batch(1_000, 12, alloc);
        VectorSchemaRoot newData = batch(25_000, 13, alloc)) {
      try (WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc)) {
        w.write(oldData);
      }
      byte[] oldBytes = Files.readAllBytes(file);
      WriterOptions overwrite = OPTIONS.toBuilder().overwrite(true).build();
      try (WeftReader before = WeftReader.open(file, alloc)) {
        WeftWriter w = WeftWriter.open(file, SCHEMA, null, overwrite, alloc);
        w.write(newData);
        // until close the old file is intact and readable
        assertArrayEquals(oldBytes, Files.readAllBytes(file));
        assertFileHolds(file, alloc, oldData);
        assertEquals(2, WriterTestSupport.listNames(dir).size());
        assertEquals(1, WriterTestSupport.tempFiles(dir, NAME).size());
        w.close();
        assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
        assertFileHolds(file, alloc, newData);
        // a reader opened before the rename still sees the old, complete file
        assertEquals(1_000, before.numRows());
        try (WeftScanner s = before.scan(null, 1_000); VectorSchemaRoot got = s.next()) {
          ArrowAssert.assertRootEquals(oldData, got);
        }
      }

      // an aborted overwrite keeps the existing file as it was
      byte[] current = Files.readAllBytes(file);
      WeftWriter w = WeftWriter.open(file, SCHEMA, null, overwrite, alloc);
      w.write(oldData);
      w.abort();
      assertArrayEquals(current, Files.readAllBytes(file));
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void twoWritersRacingForOneNameWithoutOverwrite() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator();
        VectorSchemaRoot a = batch(1_500, 17, alloc);
        VectorSchemaRoot b = batch(2_500, 18, alloc)) {
      WeftWriter first = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc);
      WeftWriter second = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc);
      assertEquals(2, WriterTestSupport.tempFiles(dir, NAME).size(), "each writer needs its own temporary file");
      first.write(a);
      second.write(b);
      second.close();
      assertFileHolds(file, alloc, b);
      byte[] winner = Files.readAllBytes(file);
      assertThrows(FileAlreadyExistsException.class, first::close);
      assertArrayEquals(winner, Files.readAllBytes(file));
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
    }
  }

  @Test
  void missingParentDirectoryIsReported() throws Exception {
    Path missing = dir.resolve("missing").resolve("sub");
    Path file = missing.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator()) {
      IOException e = assertThrows(IOException.class, () -> WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc));
      assertTrue(e.getMessage().contains(missing.toAbsolutePath().toString()),
          "message should name the directory " + missing + ": " + e.getMessage());
      assertFalse(Files.exists(dir.resolve("missing")), "the writer must not create directories");
      assertEmptyDir();
    }
  }

  @Test
  void writingAfterCloseIsRefused() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot a = batch(500, 14, alloc)) {
      WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc);
      w.write(a);
      w.close();
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.write(a));
      assertTrue(e.getMessage().contains(NAME), e.getMessage());
      assertDoesNotThrow(w::close); // idempotent
      w.abort(); // after a successful close, abort must not delete the finished file
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
      assertFileHolds(file, alloc, a);
    }
  }

  @Test
  void emptyFileIsValid() throws Exception {
    Path file = dir.resolve(NAME);
    try (RootAllocator alloc = new RootAllocator(); VectorSchemaRoot none = batch(0, 15, alloc)) {
      try (WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc)) {
        w.write(none);
      }
      assertEquals(List.of(NAME), WriterTestSupport.listNames(dir));
      try (WeftReader r = WeftReader.open(file, alloc)) {
        assertEquals(0, r.numRows());
        ArrowAssert.assertSchemaEquals(SCHEMA, r.schema());
      }
    }
  }

  /**
   * A writer process killed mid-write (no shutdown hooks, no finally blocks) leaves nothing under
   * the final name. Its temporary file does remain — expected: only a live writer can delete it;
   * it has a hidden name ".data.weft.<hex>.weft-tmp" and never shadows or blocks the final name.
   */
  @Test
  void killedWriterLeavesNoFinalFile() throws Exception {
    Path file = dir.resolve(NAME);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder pb = new ProcessBuilder(java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), CrashWriterMain.class.getName(),
        file.toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    StringBuilder output = new StringBuilder();
    CountDownLatch writing = new CountDownLatch(1);
    Thread pump = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.equals("WRITING")) {
            writing.countDown();
          }
        }
      } catch (IOException ignored) {
        // the process was killed
      }
    });
    pump.setDaemon(true);
    pump.start();
    try {
      if (!writing.await(30, TimeUnit.SECONDS)) {
        synchronized (output) {
          fail("child writer did not start writing (alive=" + p.isAlive() + "):\n" + output);
        }
      }
      assertOnlyTempFile(); // during writing, by another process
      Thread.sleep(1_000);
      assertTrue(p.isAlive(), () -> "child writer stopped by itself:\n" + output);
    } finally {
      p.destroyForcibly();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS), "child writer did not die");
    }
    assertFalse(Files.exists(file), "a killed writer left a file under the final name");
    List<String> names = WriterTestSupport.listNames(dir);
    for (String n : names) {
      assertTrue(WriterTestSupport.tempPattern(NAME).matcher(n).matches(), "unexpected file " + n);
    }
    System.out.println("AtomicWriteTest: after kill -9 the directory holds " + names + " (temporary files, expected)");
    try (RootAllocator alloc = new RootAllocator()) {
      assertThrows(NoSuchFileException.class, () -> WeftReader.open(file, alloc));
      assertThrows(NoSuchFileException.class, () -> WeftReader.open(file));
      // the leftover temporary file does not get in the way of writing the file again
      try (VectorSchemaRoot a = batch(100, 16, alloc)) {
        try (WeftWriter w = WeftWriter.open(file, SCHEMA, null, OPTIONS, alloc)) {
          w.write(a);
        }
        assertFileHolds(file, alloc, a);
      }
      List<String> after = new ArrayList<>(WriterTestSupport.listNames(dir));
      after.remove(NAME);
      assertEquals(names, after, "the new writer's own temporary file must be gone after close");
    }
  }
}
