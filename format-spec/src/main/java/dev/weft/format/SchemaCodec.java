package dev.weft.format;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/** Stores schemas as Arrow IPC schema messages (continuation marker, length, flatbuffer). */
public final class SchemaCodec {
  private SchemaCodec() {}

  public static byte[] encode(Schema schema) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (WriteChannel ch = new WriteChannel(Channels.newChannel(out))) {
      MessageSerializer.serialize(ch, schema);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize schema", e);
    }
    return out.toByteArray();
  }

  /** Decodes a schema message whose checksum was verified; anything malformed is corruption. */
  public static Schema decode(byte[] bytes, Path file, String column, long offset) throws CorruptFileException {
    try (ReadChannel ch = new ReadChannel(Channels.newChannel(new ByteArrayInputStream(bytes)))) {
      Schema schema = MessageSerializer.deserializeSchema(ch);
      if (schema == null) {
        throw CorruptFileException.at(file, column, offset, "empty Arrow schema message");
      }
      return schema;
    } catch (CorruptFileException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      CorruptFileException c = CorruptFileException.at(file, column, offset,
          "unreadable Arrow schema message: " + e);
      c.initCause(e);
      throw c;
    }
  }
}
