package dev.weft.loader;

/**
 * Something made for one dataset (an epoch order, a checkpoint, a batch tag) was applied to a
 * dataset with a different {@link DatasetFingerprint}: the files changed, were reordered, or a
 * different set of files was opened.
 */
public final class FingerprintMismatchException extends IllegalStateException {
  private final transient DatasetFingerprint expected;
  private final transient DatasetFingerprint actual;

  FingerprintMismatchException(DatasetFingerprint expected, DatasetFingerprint actual, String what) {
    super("dataset fingerprint mismatch: " + what + " was made for the dataset with fingerprint "
        + expected.hex() + ", but the dataset now has fingerprint " + actual.hex()
        + " (its files were changed, added, removed, renamed or reordered); refusing to apply it");
    this.expected = expected;
    this.actual = actual;
  }

  /** The fingerprint the order or checkpoint was made for. */
  public DatasetFingerprint expected() {
    return expected;
  }

  /** The fingerprint of the data at hand. */
  public DatasetFingerprint actual() {
    return actual;
  }
}
