package dev.weft.reader;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.weft.reader.RoundTripTest.Expected;
import dev.weft.writer.WriterOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same input and options give the same bytes: the writer's selection by sampling (which
 * remembers per column how earlier blocks were stored) must not depend on anything but the data.
 * Only the random file id differs between two writes.
 */
class DeterministicWriteTest {
  private static final int FILE_ID_AT = 8;
  /** The file id and the header's checksum over it. */
  private static final int FILE_ID_LENGTH = 24;
  /** The footer (it holds the file id) and the tail (the footer's checksum) are not compared. */
  private static final int TAIL_SLACK = 512;

  @TempDir Path dir;

  @Test
  void writingTheSameBatchesTwiceGivesTheSameBytes() throws Exception {
    WriterOptions options = WriterOptions.builder().maxRowGroupRows(30_000).build();
    try (BufferAllocator alloc = new RootAllocator(); Expected e = new Expected(EncodingColumns.schema())) {
      for (int i = 0; i < 4; i++) {
        e.add(EncodingColumns.generate(20_000, 0xD17EL + i, alloc));
      }
      Path a = dir.resolve("a.weft");
      Path b = dir.resolve("b.weft");
      RoundTripTest.write(a, e, options, alloc);
      RoundTripTest.write(b, e, options, alloc);
      byte[] x = Files.readAllBytes(a);
      byte[] y = Files.readAllBytes(b);
      assertArrayEquals(Arrays.copyOfRange(x, 0, FILE_ID_AT), Arrays.copyOfRange(y, 0, FILE_ID_AT));
      int end = Math.max(FILE_ID_AT + FILE_ID_LENGTH, x.length - TAIL_SLACK);
      assertArrayEquals(Arrays.copyOfRange(x, FILE_ID_AT + FILE_ID_LENGTH, end),
          Arrays.copyOfRange(y, FILE_ID_AT + FILE_ID_LENGTH, Math.min(y.length, end)));
    }
  }
}
