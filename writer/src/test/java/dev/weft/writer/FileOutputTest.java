package dev.weft.writer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FileOutput} buffers: small writes, padding, writes larger than the buffer (which bypass
 * it) and writes that just fill it land in the file in order, and the position counts buffered
 * bytes; nothing reaches the file before {@link FileOutput#flush()} but whole-buffer writes.
 */
class FileOutputTest {
  @TempDir Path dir;

  @Test
  void writesInOrderWhateverTheSizes() throws Exception {
    Path f = dir.resolve("out.bin");
    Random rnd = new Random(7);
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      FileOutput out = new FileOutput(ch, 64);
      int[] sizes = {0, 1, 5, 63, 64, 65, 200, 3, 64, 1000, 17, 40, 24};
      for (int i = 0; i < sizes.length; i++) {
        byte[] b = new byte[sizes[i]];
        rnd.nextBytes(b);
        if (i % 2 == 0) {
          out.write(b);
        } else {
          ByteBuffer direct = ByteBuffer.allocateDirect(b.length + 4).position(2);
          direct.put(b).flip().position(2);
          out.write(direct);
        }
        expected.write(b);
        assertEquals(expected.size(), out.position());
        out.pad();
        while (expected.size() % 8 != 0) {
          expected.write(0);
        }
        assertEquals(expected.size(), out.position());
      }
      out.flush();
      out.flush(); // nothing buffered: no-op
    }
    assertArrayEquals(expected.toByteArray(), Files.readAllBytes(f));
  }

  @Test
  void smallWritesStayBufferedUntilFlush() throws Exception {
    Path f = dir.resolve("buffered.bin");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      FileOutput out = new FileOutput(ch, 1024);
      out.write(new byte[100]);
      out.pad();
      assertEquals(0, Files.size(f));
      out.write(new byte[2000]); // larger than the buffer: the buffered bytes first, then it
      assertEquals(2104, Files.size(f));
      out.write(new byte[10]);
      assertEquals(2104, Files.size(f));
      out.flush();
      assertEquals(2114, Files.size(f));
      assertEquals(2114, out.position());
    }
  }
}
