package dev.weft.loader;

import com.google.flatbuffers.FlatBufferBuilder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.GatheringByteChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.flatbuf.KeyValue;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.MetadataVersion;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowBuffer;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Writes an Arrow IPC stream (the streaming format: schema message, record-batch messages,
 * end-of-stream marker) to a socket, each record batch with its tag in the message's
 * {@code custom_metadata} ({@value #TAG_KEY}). A batch goes out in one gathering write of its
 * header and its buffers as they are (no copy into a staging buffer); the bytes are those
 * {@code MessageSerializer} writes, plus the custom metadata.
 */
final class IpcStreamWriter {
  /** The key of a record batch message's tag (JSON, PROTOCOL.md section 12.2). */
  static final String TAG_KEY = "weft.tag";
  private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(64);

  private final GatheringByteChannel out;
  private final List<ByteBuffer> pieces = new ArrayList<>();

  IpcStreamWriter(GatheringByteChannel out) {
    this.out = out;
  }

  /** Writes the schema message. */
  void writeSchema(Schema schema) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    MessageSerializer.serialize(new WriteChannel(Channels.newChannel(bytes)), schema);
    writeFully(new ByteBuffer[] {ByteBuffer.wrap(bytes.toByteArray())});
  }

  /**
   * Writes one record batch message with {@code tagJson} as its custom metadata.
   *
   * @return the bytes written (header and body)
   */
  long writeBatch(ArrowRecordBatch batch, byte[] tagJson) throws IOException {
    FlatBufferBuilder b = new FlatBufferBuilder(1024);
    int header = batch.writeTo(b);
    int key = b.createString(TAG_KEY);
    int value = b.createString(new String(tagJson, StandardCharsets.UTF_8));
    int kv = KeyValue.createKeyValue(b, key, value);
    int custom = Message.createCustomMetadataVector(b, new int[] {kv});
    long bodyLength = batch.computeBodyLength();
    Message.startMessage(b);
    Message.addHeaderType(b, MessageHeader.RecordBatch);
    Message.addHeader(b, header);
    Message.addVersion(b, MetadataVersion.V5);
    Message.addBodyLength(b, bodyLength);
    Message.addCustomMetadata(b, custom);
    b.finish(Message.endMessage(b));
    ByteBuffer meta = b.dataBuffer();
    int metaLen = meta.remaining();
    int padded = (int) pad8(8L + metaLen); // continuation, length, metadata, padding
    ByteBuffer head = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
    head.putInt(MessageSerializer.IPC_CONTINUATION_TOKEN).putInt(padded - 8).put(meta);
    head.position(0).limit(padded); // the padding is the array's zeros

    pieces.clear();
    pieces.add(head);
    List<ArrowBuf> buffers = batch.getBuffers();
    List<ArrowBuffer> layout = batch.getBuffersLayout();
    long at = 0;
    for (int i = 0; i < buffers.size(); i++) {
      ArrowBuffer where = layout.get(i);
      zeros(where.getOffset() - at);
      ArrowBuf buf = buffers.get(i);
      long size = where.getSize();
      if (size > 0) {
        pieces.add(buf.nioBuffer(0, (int) size));
      }
      at = where.getOffset() + size;
    }
    zeros(bodyLength - at);
    writeFully(pieces.toArray(new ByteBuffer[0]));
    return padded + bodyLength;
  }

  /** Writes the end-of-stream marker (continuation, length 0). */
  void writeEnd() throws IOException {
    ByteBuffer end = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
    end.putInt(MessageSerializer.IPC_CONTINUATION_TOKEN).putInt(0).flip();
    writeFully(new ByteBuffer[] {end});
  }

  private void zeros(long n) {
    while (n > 0) {
      int k = (int) Math.min(n, ZEROS.capacity());
      pieces.add(ZEROS.duplicate().limit(k));
      n -= k;
    }
  }

  private void writeFully(ByteBuffer[] bufs) throws IOException {
    int first = 0;
    while (first < bufs.length) {
      out.write(bufs, first, bufs.length - first);
      while (first < bufs.length && !bufs[first].hasRemaining()) {
        first++;
      }
    }
  }

  private static long pad8(long x) {
    return (x + 7) & ~7L;
  }
}
