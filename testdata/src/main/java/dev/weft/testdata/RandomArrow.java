package dev.weft.testdata;

import java.util.Objects;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Seeded random Arrow data for round-trip tests.
 *
 * <p>{@link #allTypesSchema()} has one column per supported Arrow type (including nested
 * combinations), {@link #randomSchema(Random, int, int)} builds random nestings of those types,
 * and {@code generate} fills a {@link VectorSchemaRoot} for any schema built from them. Generated
 * values mix ordinary random values with edge cases (integer minima and maxima, zero, -0.0, NaN,
 * infinities, subnormals, empty strings/binaries/lists, multi-byte UTF-8) and, optionally, "huge"
 * strings or binaries of several MiB.
 *
 * <p>Nulls: every slot of a nullable field, at any nesting level (top-level columns, struct
 * children, list/map values, list elements), is null with probability {@code nullProbability};
 * non-nullable fields (e.g. map keys and map entries, as Arrow requires) are never null. The
 * children of a null struct or fixed-size-list slot still hold random values, which carry no
 * meaning. Null-type columns are null everywhere.
 *
 * <p>Generation is deterministic: the same schema, row count, seed and options always produce the
 * same values. Each top-level column draws from its own random stream derived from the seed and
 * the column index, so adding a column at the end does not change the earlier ones.
 */
public final class RandomArrow {

  private RandomArrow() {}

  /**
   * A schema with one nullable top-level column per supported type, plus nested combinations.
   *
   * @return a new schema; column names describe the type (e.g. {@code "int32"}, {@code "map_utf8_int64"})
   */
  public static Schema allTypesSchema() {
    return TypeCatalog.allTypesSchema();
  }

  /**
   * A random schema whose columns are random nestings (list, large list, fixed-size list, struct,
   * map) of the primitive types of {@link #allTypesSchema()}. About one field in ten is
   * non-nullable (null-type fields are always nullable; map keys and entries never are).
   *
   * @param rnd source of randomness (the schema is a function of its state)
   * @param columns number of top-level columns, named {@code c0, c1, ...}
   * @param maxDepth maximum nesting depth of list/struct/map types; 0 gives only flat columns
   * @return a new schema
   */
  public static Schema randomSchema(Random rnd, int columns, int maxDepth) {
    Objects.requireNonNull(rnd, "rnd");
    if (columns < 0 || maxDepth < 0) {
      throw new IllegalArgumentException("columns and maxDepth must be >= 0");
    }
    return TypeCatalog.randomSchema(rnd, columns, maxDepth);
  }

  /**
   * Generates {@code rows} random rows with default {@link Options} except the null probability.
   *
   * @param schema the schema (types as produced by {@link #allTypesSchema()} or {@link #randomSchema})
   * @param rows number of rows
   * @param seed random seed
   * @param allocator allocator for the vectors; the caller must close the returned root
   * @param nullProbability probability that a nullable slot (at any nesting level) is null
   * @return a new root owned by the caller
   */
  public static VectorSchemaRoot generate(
      Schema schema, int rows, long seed, BufferAllocator allocator, double nullProbability) {
    return generate(
        schema, rows, seed, allocator, Options.builder().nullProbability(nullProbability).build());
  }

  /**
   * Generates {@code rows} random rows.
   *
   * @param schema the schema (types as produced by {@link #allTypesSchema()} or {@link #randomSchema})
   * @param rows number of rows
   * @param seed random seed
   * @param allocator allocator for the vectors; the caller must close the returned root
   * @param options generation options
   * @return a new root owned by the caller
   * @throws UnsupportedOperationException if the schema contains a type this class cannot fill
   */
  public static VectorSchemaRoot generate(
      Schema schema, int rows, long seed, BufferAllocator allocator, Options options) {
    Objects.requireNonNull(schema, "schema");
    Objects.requireNonNull(allocator, "allocator");
    Objects.requireNonNull(options, "options");
    if (rows < 0) {
      throw new IllegalArgumentException("rows must be >= 0: " + rows);
    }
    VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
    try {
      for (int c = 0; c < root.getFieldVectors().size(); c++) {
        FieldVector vector = root.getVector(c);
        vector.setInitialCapacity(rows);
        vector.allocateNew();
        RandomValues values = new RandomValues(new Random(columnSeed(seed, c)), options);
        new VectorFiller(values).fill(vector, rows);
      }
      root.setRowCount(rows);
      return root;
    } catch (RuntimeException | Error e) {
      root.close();
      throw e;
    }
  }

  private static long columnSeed(long seed, int column) {
    long z = seed + 0x9E3779B97F4A7C15L * (column + 1L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * Immutable generation options; create with {@link #builder()} or {@link #defaults()}.
   *
   * <p>Defaults: null probability 0.1, strings/binaries 0..40 bytes, lists 0..6 elements, edge-case
   * probability 0.2, no huge values (huge size 4 MiB when enabled).
   */
  public static final class Options {
    private final double nullProbability;
    private final int maxStringBytes;
    private final int maxListLength;
    private final double edgeCaseProbability;
    private final double hugeProbability;
    private final int hugeValueBytes;

    private Options(Builder b) {
      this.nullProbability = b.nullProbability;
      this.maxStringBytes = b.maxStringBytes;
      this.maxListLength = b.maxListLength;
      this.edgeCaseProbability = b.edgeCaseProbability;
      this.hugeProbability = b.hugeProbability;
      this.hugeValueBytes = b.hugeValueBytes;
    }

    /**
     * Returns the default options.
     *
     * @return the default options
     */
    public static Options defaults() {
      return builder().build();
    }

    /**
     * Returns a builder initialised with the defaults.
     *
     * @return a builder initialised with the defaults
     */
    public static Builder builder() {
      return new Builder();
    }

    /**
     * Returns a builder initialised with these options.
     *
     * @return a builder initialised with these options
     */
    public Builder toBuilder() {
      return new Builder()
          .nullProbability(nullProbability)
          .maxStringBytes(maxStringBytes)
          .maxListLength(maxListLength)
          .edgeCaseProbability(edgeCaseProbability)
          .hugeProbability(hugeProbability)
          .hugeValueBytes(hugeValueBytes);
    }

    /**
     * Returns probability that a nullable slot is null (0 = never, 1 = always).
     *
     * @return probability that a nullable slot is null (0 = never, 1 = always)
     */
    public double nullProbability() {
      return nullProbability;
    }

    /**
     * Returns maximum length in bytes of ordinary utf8/large_utf8/binary/large_binary values.
     *
     * @return maximum length in bytes of ordinary utf8/large_utf8/binary/large_binary values
     */
    public int maxStringBytes() {
      return maxStringBytes;
    }

    /**
     * Returns maximum number of elements of a list, large list or map value.
     *
     * @return maximum number of elements of a list, large list or map value
     */
    public int maxListLength() {
      return maxListLength;
    }

    /**
     * Returns probability that a value is drawn from the edge cases of its type.
     *
     * @return probability that a value is drawn from the edge cases of its type
     */
    public double edgeCaseProbability() {
      return edgeCaseProbability;
    }

    /**
     * Returns probability that a string or binary value is "huge" ({@link #hugeValueBytes()} long).
     *
     * @return probability that a string or binary value is "huge" ({@link #hugeValueBytes()} long)
     */
    public double hugeProbability() {
      return hugeProbability;
    }

    /**
     * Returns the length in bytes of huge string and binary values.
     *
     * @return the length in bytes of huge string and binary values
     */
    public int hugeValueBytes() {
      return hugeValueBytes;
    }

    @Override
    public String toString() {
      return "Options{nullProbability=" + nullProbability + ", maxStringBytes=" + maxStringBytes
          + ", maxListLength=" + maxListLength + ", edgeCaseProbability=" + edgeCaseProbability
          + ", hugeProbability=" + hugeProbability + ", hugeValueBytes=" + hugeValueBytes + "}";
    }

    /** Builder for {@link Options}; validation happens in {@link #build()}. */
    public static final class Builder {
      private double nullProbability = 0.1;
      private int maxStringBytes = 40;
      private int maxListLength = 6;
      private double edgeCaseProbability = 0.2;
      private double hugeProbability = 0.0;
      private int hugeValueBytes = 4 << 20;

      private Builder() {}

      /**
       * Sets probability in [0, 1] that a nullable slot is null.
       *
       * @param p probability in [0, 1] that a nullable slot is null
       * @return this builder
       */
      public Builder nullProbability(double p) {
        this.nullProbability = p;
        return this;
      }

      /**
       * Sets maximum ordinary string/binary length, >= 0.
       *
       * @param bytes maximum ordinary string/binary length, >= 0
       * @return this builder
       */
      public Builder maxStringBytes(int bytes) {
        this.maxStringBytes = bytes;
        return this;
      }

      /**
       * Sets maximum list/map length, >= 0.
       *
       * @param length maximum list/map length, >= 0
       * @return this builder
       */
      public Builder maxListLength(int length) {
        this.maxListLength = length;
        return this;
      }

      /**
       * Sets probability in [0, 1] of drawing an edge-case value.
       *
       * @param p probability in [0, 1] of drawing an edge-case value
       * @return this builder
       */
      public Builder edgeCaseProbability(double p) {
        this.edgeCaseProbability = p;
        return this;
      }

      /**
       * Sets probability in [0, 1] that a string/binary value is huge.
       *
       * @param p probability in [0, 1] that a string/binary value is huge
       * @return this builder
       */
      public Builder hugeProbability(double p) {
        this.hugeProbability = p;
        return this;
      }

      /**
       * Sets length of huge string/binary values, >= 0.
       *
       * @param bytes length of huge string/binary values, >= 0
       * @return this builder
       */
      public Builder hugeValueBytes(int bytes) {
        this.hugeValueBytes = bytes;
        return this;
      }

      /**
       * Validates the settings and creates the options.
       *
       * @return the options
       * @throws IllegalArgumentException if a probability is outside [0, 1] or a size is negative
       */
      public Options build() {
        checkProbability("nullProbability", nullProbability);
        checkProbability("edgeCaseProbability", edgeCaseProbability);
        checkProbability("hugeProbability", hugeProbability);
        checkSize("maxStringBytes", maxStringBytes);
        checkSize("maxListLength", maxListLength);
        checkSize("hugeValueBytes", hugeValueBytes);
        return new Options(this);
      }

      private static void checkProbability(String name, double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
          throw new IllegalArgumentException(name + " must be in [0, 1]: " + p);
        }
      }

      private static void checkSize(String name, int size) {
        if (size < 0) {
          throw new IllegalArgumentException(name + " must be >= 0: " + size);
        }
      }
    }
  }
}
