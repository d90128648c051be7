package dev.weft.loader;

/**
 * Identifies a batch for checkpointing: the dataset it was made from, the epoch, the batch's
 * index in its rank's sequence of batches, and the global order position of its first sample.
 * A client that has consumed the batch tagged {@code t} resumes with batch
 * {@code t.batchIndex() + 1} of epoch {@code t.epoch()} (see {@link ShardPlan#batchesOfWorker}).
 *
 * @param fingerprint the dataset the batch was read from
 * @param epoch the epoch
 * @param batchIndex the batch's index {@code j} in its rank's sequence ({@code 0 <= j < batchesPerRank})
 * @param firstPosition the position in the epoch's global order of the batch's first sample
 */
public record BatchTag(DatasetFingerprint fingerprint, long epoch, long batchIndex, long firstPosition) {}
