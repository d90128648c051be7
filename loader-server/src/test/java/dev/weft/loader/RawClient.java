package dev.weft.loader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Timer;
import java.util.TimerTask;

/** A protocol-level client for the tests: sends any bytes, reads frames with a deadline. */
final class RawClient implements AutoCloseable {
  private static final Timer TIMER = new Timer("raw-client-deadline", true);
  private final SocketChannel ch;

  RawClient(Path socket) throws IOException {
    ch = SocketChannel.open(StandardProtocolFamily.UNIX);
    ch.connect(UnixDomainSocketAddress.of(socket));
  }

  void send(ByteBuffer frame) throws IOException {
    Protocol.writeFully(ch, frame);
  }

  void sendRaw(byte[] bytes) throws IOException {
    Protocol.writeFully(ch, ByteBuffer.wrap(bytes));
  }

  /** A frame header with any length, type and flags. */
  static byte[] header(long length, int type, int flags) {
    return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt((int) length).putShort((short) type)
        .putShort((short) flags).array();
  }

  /** Reads one frame (null at EOF); fails the read after 10 s. */
  Protocol.Frame read() throws IOException {
    TimerTask kill = new TimerTask() {
      @Override
      public void run() {
        try {
          ch.close();
        } catch (IOException ignored) {
          // test failure follows
        }
      }
    };
    TIMER.schedule(kill, 10_000);
    try {
      return Protocol.readFrame(ch, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN), Integer.MAX_VALUE - 64);
    } finally {
      kill.cancel();
    }
  }

  Protocol.Welcome hello(String token) throws IOException {
    send(new Protocol.Hello(Protocol.VERSION, 1, token).encode());
    Protocol.Frame f = read();
    assertNotNull(f);
    assertEquals(Protocol.WELCOME, f.type(), () -> "expected WELCOME, got " + describe(f));
    return Protocol.Welcome.decode(f.body());
  }

  int open(StreamRequest r) throws IOException {
    send(Protocol.encodeOpenStream(r));
    Protocol.Frame f = read();
    assertEquals(Protocol.STREAM_OPENED, f.type(), () -> "expected STREAM_OPENED, got " + describe(f));
    return Protocol.StreamOpened.decode(f.body()).streamId();
  }

  Protocol.BatchReply next(int stream) throws IOException {
    send(new Protocol.Next(stream, 10_000).encode());
    Protocol.Frame f = read();
    assertEquals(Protocol.BATCH, f.type(), () -> "expected BATCH, got " + describe(f));
    return Protocol.BatchReply.decode(new Protocol.In(f.body(), "BATCH"));
  }

  /** Reads an ERROR with the given code, then the end of the connection. Returns the message. */
  String expectErrorThenEof(Protocol.ErrorCode code) throws IOException {
    Protocol.Frame f = read();
    assertNotNull(f, "expected an ERROR, got EOF");
    assertEquals(Protocol.ERROR, f.type(), () -> "expected ERROR, got " + describe(f));
    Protocol.ErrorReply e = Protocol.ErrorReply.decode(f.body());
    assertEquals(code, e.code(), e.message());
    assertNull(readOrEof(), "the server closes the connection after an ERROR");
    return e.message();
  }

  private Protocol.Frame readOrEof() throws IOException {
    try {
      return read();
    } catch (IOException e) {
      return null; // reset: closed as well
    }
  }

  static String describe(Protocol.Frame f) {
    if (f == null) {
      return "EOF";
    }
    if (f.type() == Protocol.ERROR) {
      try {
        Protocol.ErrorReply e = Protocol.ErrorReply.decode(f.body().duplicate().order(ByteOrder.LITTLE_ENDIAN));
        return "ERROR " + e.code() + ": " + e.message();
      } catch (IOException ex) {
        return "bad ERROR";
      }
    }
    return Protocol.typeName(f.type());
  }

  @Override
  public void close() throws IOException {
    ch.close();
  }
}
