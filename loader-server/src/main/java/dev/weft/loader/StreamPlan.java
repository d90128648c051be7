package dev.weft.loader;

import java.io.IOException;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The stream a ticket names (PROTOCOL.md section 12.1), checked against the dataset and ready to
 * assemble: shared by the socket transports (Flight and Arrow IPC over TCP).
 *
 * @param ticket the ticket
 * @param assembler assembles the ticket's projection
 * @param order the epoch's order
 * @param plan the rank's share
 * @param schema the projection's schema with the metadata of section 12.2
 * @param numBatches batches the stream delivers
 */
record StreamPlan(FlightTicket ticket, BatchAssembler assembler, EpochOrder order, ShardPlan plan, Schema schema,
    long numBatches) {

  /** Makes the transport's error for a refused ticket; codes are Flight status names. */
  interface Errors<E extends Exception> {
    E error(String code, String message);
  }

  /**
   * Checks {@code t} against {@code dataset}.
   *
   * @throws E {@code NOT_FOUND} for another dataset name, {@code INVALID_ARGUMENT} for another
   *     fingerprint or a bad projection/shard, {@code INTERNAL} if the schema cannot be read
   */
  static <E extends Exception> StreamPlan of(WeftDataset dataset, FlightTicket t, Errors<E> errors) throws E {
    if (t.dataset() != null && !t.dataset().equals(FlightLoaderService.DATASET_NAME)) {
      throw errors.error("NOT_FOUND", "this server serves one dataset, \"" + FlightLoaderService.DATASET_NAME
          + "\", not \"" + t.dataset() + "\"");
    }
    StreamRequest req = t.request();
    if (req.expectedFingerprint() != null && !req.expectedFingerprint().equals(dataset.fingerprint())) {
      throw errors.error("INVALID_ARGUMENT", "the ticket expects the dataset with fingerprint "
          + req.expectedFingerprint().hex() + ", this server serves " + dataset.fingerprint().hex()
          + " (its files were changed, added, removed, renamed or reordered)");
    }
    BatchAssembler asm;
    ShardPlan plan;
    try {
      asm = new BatchAssembler(dataset, req.columns());
      plan = ShardPlan.create(dataset.numRows(), req.rank(), req.worldSize(), req.batchSize(), req.tail(),
          req.startPosition());
    } catch (IllegalArgumentException e) {
      throw errors.error("INVALID_ARGUMENT", "ticket: " + e.getMessage());
    } catch (IOException e) {
      throw errors.error("INTERNAL", "reading the dataset's schema failed: " + e.getMessage());
    }
    EpochOrder order = EpochOrder.create(dataset, req.shuffle(), req.epoch());
    long n = plan.numBatchesOfWorker(req.worker(), req.numWorkers(), req.fromBatch());
    Map<String, String> meta = FlightTicket.schemaMetadata(dataset.fingerprint(), dataset.numRows(),
        plan.batchesPerRank(), n);
    return new StreamPlan(t, asm, order, plan, new Schema(asm.schema().getFields(), meta), n);
  }
}
