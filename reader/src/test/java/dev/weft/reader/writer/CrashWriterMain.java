package dev.weft.reader.writer;

import dev.weft.testdata.RandomArrow;
import dev.weft.writer.WeftWriter;
import dev.weft.writer.WriterOptions;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Child process of {@link AtomicWriteTest#killedWriterLeavesNoFinalFile}: writes batches to the
 * file named by {@code args[0]} forever (until killed). Prints {@code WRITING} once row groups
 * have been flushed to the temporary file.
 */
public final class CrashWriterMain {
  private CrashWriterMain() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[0]);
    Schema schema = new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
        Field.nullable("text", ArrowType.Utf8.INSTANCE)));
    RootAllocator alloc = new RootAllocator();
    VectorSchemaRoot root = RandomArrow.generate(schema, 10_000, 7, alloc, 0.1);
    WeftWriter w = WeftWriter.open(file, schema, null,
        WriterOptions.builder().memoryBudget(1 << 20).build(), alloc);
    long batches = 0;
    while (true) {
      w.write(root);
      batches++;
      if (batches == 10) {
        System.out.println("WRITING");
        System.out.flush();
      }
      Thread.sleep(10);
    }
  }
}
