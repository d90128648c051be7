package dev.weft.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Sequential writes to the temporary file, tracking the position, through a buffer: a file is
 * written in thousands of small pieces (each block, its padding, each block table), which as
 * one system call each cost more than the copy into the buffer. Writes of at least the buffer's
 * size go to the channel directly. {@link #flush()} before the channel is forced or closed.
 */
final class FileOutput {
  /** Bytes gathered before a write to the channel. */
  static final int BUFFER_BYTES = 256 << 10;
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(8);
  private final FileChannel channel;
  private final ByteBuffer buffer;
  private long position;

  FileOutput(FileChannel channel) {
    this(channel, BUFFER_BYTES);
  }

  FileOutput(FileChannel channel, int bufferBytes) {
    this.channel = channel;
    // on the heap, freed with the writer (a direct buffer would wait for a GC to be freed, and a
    // conversion of many files opens a writer for each); the channel copies it through the
    // JDK's cached per-thread direct buffer
    this.buffer = ByteBuffer.allocate(bufferBytes);
  }

  /** Bytes written so far, buffered ones included: the offset the next byte will have in the file. */
  long position() {
    return position;
  }

  void write(ByteBuffer src) throws IOException {
    int n = src.remaining();
    if (n > buffer.remaining()) {
      flush();
      if (n >= buffer.capacity()) {
        while (src.hasRemaining()) {
          channel.write(src);
        }
        position += n;
        return;
      }
    }
    buffer.put(src);
    position += n;
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

  /** Writes the buffered bytes to the channel. */
  void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
    buffer.clear();
  }
}
