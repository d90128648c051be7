package dev.weft.writer;

import dev.weft.format.UnsupportedTypeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryEncoder;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Replaces dictionary-encoded top-level columns by their values: Weft stores values. */
final class DictionaryColumns {
  private DictionaryColumns() {}

  static Schema storedSchema(Schema schema, DictionaryProvider provider, Path path) throws UnsupportedTypeException {
    List<Field> fields = new ArrayList<>();
    for (Field f : schema.getFields()) {
      DictionaryEncoding enc = f.getDictionary();
      if (enc == null) {
        fields.add(f);
        continue;
      }
      Dictionary dict = provider == null ? null : provider.lookup(enc.getId());
      if (dict == null) {
        throw new UnsupportedTypeException("column '" + f.getName() + "' is dictionary-encoded (id "
            + enc.getId() + ") but no dictionary was provided (file " + path + ")", path);
      }
      Field valueField = dict.getVector().getField();
      fields.add(new Field(f.getName(),
          new FieldType(f.isNullable(), valueField.getType(), null, f.getMetadata()),
          valueField.getChildren()));
    }
    return new Schema(fields, schema.getCustomMetadata());
  }

  /**
   * Decodes rows {@code [from, to)} of a dictionary-encoded column into a new values vector
   * allocated from {@code allocator} (owned by the caller).
   */
  static FieldVector decodeSlice(FieldVector indices, int from, int to, DictionaryProvider provider,
      BufferAllocator allocator, Path path) {
    DictionaryEncoding enc = indices.getField().getDictionary();
    Dictionary dict = provider.lookup(enc.getId());
    if (dict == null) {
      throw new IllegalArgumentException("column '" + indices.getField().getName()
          + "': dictionary " + enc.getId() + " disappeared from the provider (file " + path + ")");
    }
    try (FieldVector slice = (FieldVector) indices.getField().createVector(allocator)) {
      slice.setInitialCapacity(to - from);
      slice.allocateNew();
      for (int i = from; i < to; i++) {
        slice.copyFromSafe(i, i - from, indices);
      }
      slice.setValueCount(to - from);
      ValueVector decoded = DictionaryEncoder.decode(slice, dict, allocator);
      return (FieldVector) decoded;
    }
  }
}
