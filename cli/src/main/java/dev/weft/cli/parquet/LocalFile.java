package dev.weft.cli.parquet;

import java.io.EOFException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.SeekableInputStream;

/**
 * A local file for parquet-java's reader, in place of its {@code LocalInputFile}, whose
 * {@code readFully(ByteBuffer)} reads each row group's column chunks into a temporary array of
 * their size and copies that into the buffer: here they are read straight into the buffer's array
 * (a direct buffer: through the file's channel).
 */
final class LocalFile implements InputFile {
  private final Path path;
  private long length = -1;

  LocalFile(Path path) {
    this.path = path;
  }

  @Override
  public long getLength() throws IOException {
    if (length < 0) {
      try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "r")) {
        length = f.length();
      }
    }
    return length;
  }

  @Override
  public SeekableInputStream newStream() throws IOException {
    return new Stream(new RandomAccessFile(path.toFile(), "r"));
  }

  @Override
  public String toString() {
    return path.toString();
  }

  private static final class Stream extends SeekableInputStream {
    private final RandomAccessFile file;

    Stream(RandomAccessFile file) {
      this.file = file;
    }

    @Override
    public int read() throws IOException {
      return file.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return file.read(b, off, len);
    }

    @Override
    public long getPos() throws IOException {
      return file.getFilePointer();
    }

    @Override
    public void seek(long pos) throws IOException {
      file.seek(pos);
    }

    @Override
    public void readFully(byte[] bytes) throws IOException {
      file.readFully(bytes);
    }

    @Override
    public void readFully(byte[] bytes, int start, int len) throws IOException {
      file.readFully(bytes, start, len);
    }

    @Override
    public int read(ByteBuffer buf) throws IOException {
      if (!buf.hasRemaining()) {
        return 0;
      }
      if (buf.hasArray()) {
        int n = file.read(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
        if (n > 0) {
          buf.position(buf.position() + n);
        }
        return n;
      }
      return channel().read(buf);
    }

    @Override
    public void readFully(ByteBuffer buf) throws IOException {
      if (buf.hasArray()) {
        int n = buf.remaining();
        file.readFully(buf.array(), buf.arrayOffset() + buf.position(), n);
        buf.position(buf.position() + n);
        return;
      }
      FileChannel ch = channel();
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          throw new EOFException("reached the end of the file with " + buf.remaining() + " bytes left to read");
        }
      }
    }

    /** The file's channel, which shares its position with the file. */
    private FileChannel channel() {
      return file.getChannel();
    }

    @Override
    public void close() throws IOException {
      file.close();
    }
  }
}
