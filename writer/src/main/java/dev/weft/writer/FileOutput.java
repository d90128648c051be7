package dev.weft.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** Sequential writes to the temporary file, tracking the position. */
final class FileOutput {
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(8);
  private final FileChannel channel;
  private long position;

  FileOutput(FileChannel channel) {
    this.channel = channel;
  }

  long position() {
    return position;
  }

  void write(ByteBuffer src) throws IOException {
    while (src.hasRemaining()) {
      position += channel.write(src);
    }
  }

  void write(byte[] bytes) throws IOException {
    write(ByteBuffer.wrap(bytes));
  }

  /** Writes zero bytes up to the next multiple of 8. */
  void pad() throws IOException {
    int pad = (int) ((8 - (position & 7)) & 7);
    if (pad > 0) {
      write(ZEROS.duplicate().limit(pad));
    }
  }
}
