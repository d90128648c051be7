package dev.weft.writer;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link EarlySync}: background fdatasyncs of a file being written, their failures kept for close. */
class EarlySyncTest {
  @TempDir
  Path dir;

  @Test
  void syncsWhileTheFileGrowsAndAwaitReturns() throws IOException {
    Path f = dir.resolve("f");
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      EarlySync sync = new EarlySync(ch, "f");
      assertDoesNotThrow(sync::await); // nothing started
      for (int i = 0; i < 20; i++) {
        ch.write(ByteBuffer.wrap(new byte[64 << 10]));
        sync.start(); // skipped while the previous one runs
      }
      sync.await();
      sync.await(); // idempotent
    }
    assertTrue(Files.size(f) == 20L * (64 << 10));
  }

  @Test
  void aFailedSyncIsThrownByAwait() throws IOException {
    Path f = dir.resolve("g");
    FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    ch.close();
    EarlySync sync = new EarlySync(ch, "g.weft");
    sync.start();
    IOException e = assertThrows(IOException.class, sync::await);
    assertTrue(e.getMessage().contains("g.weft"), e.getMessage());
  }
}
