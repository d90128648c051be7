package dev.weft.testdata;

import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.util.ByteFunctionHelpers;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;

/** Test helpers: visiting vector trees and comparing raw buffers. */
final class VectorTrees {
  private VectorTrees() {}

  /** Calls {@code action} on {@code v} and all its descendants. */
  static void forEach(FieldVector v, Consumer<FieldVector> action) {
    action.accept(v);
    for (FieldVector child : v.getChildrenFromFields()) {
      forEach(child, action);
    }
  }

  /**
   * Whether two roots have byte-identical buffers (as unloaded for IPC), including the bytes
   * under null slots. Independent of {@link ArrowAssert}.
   */
  static boolean sameBuffers(VectorSchemaRoot a, VectorSchemaRoot b) {
    try (ArrowRecordBatch ba = new VectorUnloader(a).getRecordBatch();
        ArrowRecordBatch bb = new VectorUnloader(b).getRecordBatch()) {
      List<ArrowBuf> la = ba.getBuffers();
      List<ArrowBuf> lb = bb.getBuffers();
      if (la.size() != lb.size() || !ba.getNodes().toString().equals(bb.getNodes().toString())) {
        return false;
      }
      for (int k = 0; k < la.size(); k++) {
        ArrowBuf x = la.get(k);
        ArrowBuf y = lb.get(k);
        if (ByteFunctionHelpers.equal(x, 0, x.writerIndex(), y, 0, y.writerIndex()) == 0) {
          return false;
        }
      }
      return true;
    }
  }
}
