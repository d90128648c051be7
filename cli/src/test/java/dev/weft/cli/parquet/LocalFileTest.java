package dev.weft.cli.parquet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.parquet.io.SeekableInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link LocalFile}: positioned reads into arrays, heap buffers (read in place) and direct buffers. */
class LocalFileTest {
  private Path file;
  private byte[] content;

  @BeforeEach
  void write() throws Exception {
    file = Files.createTempFile("weft-localfile", ".bin");
    content = new byte[100_000];
    for (int i = 0; i < content.length; i++) {
      content[i] = (byte) (i * 31 + 7);
    }
    Files.write(file, content);
  }

  @AfterEach
  void delete() throws Exception {
    Files.deleteIfExists(file);
  }

  @Test
  void readsIntoHeapAndDirectBuffersAtTheirPosition() throws Exception {
    LocalFile f = new LocalFile(file);
    assertEquals(content.length, f.getLength());
    try (SeekableInputStream in = f.newStream()) {
      in.seek(1000);
      // a slice of a larger array, with a position: the bytes land at the position, the rest untouched
      ByteBuffer heap = ByteBuffer.wrap(new byte[70_000], 5_000, 60_000).slice();
      heap.position(10);
      in.readFully(heap);
      assertEquals(heap.limit(), heap.position());
      assertEquals(60_990, in.getPos());
      byte[] got = new byte[60_000 - 10];
      heap.position(10);
      heap.get(got);
      assertArrayEquals(Arrays.copyOfRange(content, 1000, 60_990), got);
      assertEquals(0, heap.array()[5_000 + 9]);

      ByteBuffer direct = ByteBuffer.allocateDirect(20_000);
      in.readFully(direct);
      direct.flip();
      byte[] d = new byte[20_000];
      direct.get(d);
      assertArrayEquals(Arrays.copyOfRange(content, 60_990, 80_990), d);
      assertEquals(80_990, in.getPos());

      ByteBuffer partial = ByteBuffer.allocate(50_000);
      int n = in.read(partial);
      assertEquals(content.length - 80_990, n);
      assertEquals(n, partial.position());
      assertEquals(-1, in.read(ByteBuffer.allocate(10)));
      assertEquals(-1, in.read(ByteBuffer.allocateDirect(10)));
    }
  }

  @Test
  void readingPastTheEndFails() throws Exception {
    try (SeekableInputStream in = new LocalFile(file).newStream()) {
      in.seek(content.length - 10);
      assertThrows(EOFException.class, () -> in.readFully(ByteBuffer.allocate(11)));
      in.seek(content.length - 10);
      assertThrows(EOFException.class, () -> in.readFully(ByteBuffer.allocateDirect(11)));
      in.seek(content.length - 10);
      assertThrows(EOFException.class, () -> in.readFully(new byte[11]));
    }
  }
}
