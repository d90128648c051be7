package dev.weft.cli.convert;

import java.nio.file.Path;
import java.util.List;

/**
 * Initializes, on a background thread, the classes whose static initializers dominate the fixed
 * cost of a {@code weft convert} (on a 2-core machine ~0.2 s of a 0.35 s conversion of a tiny
 * file): parquet-java's {@code ParquetMetadata} and Arrow's {@code Schema} each build a Jackson
 * {@code ObjectMapper}, zstd-jni loads its native library, the Thrift footer classes, and the
 * method handles behind records' {@code hashCode}. The
 * main thread meanwhile parses the command line; when the conversion reaches a class still being
 * initialized, it waits for it (the JVM initializes a class once), so nothing runs twice and
 * nothing changes but when the work is done. Failures are ignored: the conversion then
 * initializes the class itself and reports any error there.
 */
public final class Prewarm {
  /**
   * Two groups, each initialized in order on its own thread (parquet-java and Arrow each bring
   * their own Jackson, so the two mappers are built at once): the footer's classes, which the
   * conversion needs first, and the rest.
   */
  static final List<String> FOOTER_CLASSES = List.of(
      "org.apache.parquet.format.FileMetaData",
      "org.apache.parquet.format.converter.ParquetMetadataConverter",
      "org.apache.parquet.hadoop.metadata.ParquetMetadata",
      "org.apache.parquet.format.PageHeader",
      "org.apache.parquet.format.DataPageHeader");
  static final List<String> OTHER_CLASSES = List.of(
      "org.apache.arrow.vector.types.pojo.Schema",
      "org.apache.arrow.vector.ipc.message.MessageSerializer",
      "org.apache.arrow.memory.RootAllocator",
      "com.github.luben.zstd.Zstd",
      "dev.weft.format.BlockCodecs",
      "dev.weft.format.MetaOutput"); // its VarHandle spins method-handle classes
  /** Every class named. */
  static final List<String> CLASSES = java.util.stream.Stream.concat(FOOTER_CLASSES.stream(), OTHER_CLASSES.stream())
      .toList();

  private Prewarm() {}

  /** Starts the background initialization (a daemon thread; returns at once). */
  public static void start() {
    start(Prewarm::runFooter, "weft-prewarm-footer");
    start(Prewarm::runOthers, "weft-prewarm");
  }

  private static void start(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    t.start();
  }

  /** Everything, on the calling thread. */
  static void run() {
    runFooter();
    runOthers();
  }

  private static void runFooter() {
    warmRecords();
    initialize(FOOTER_CLASSES);
    warmCallSites();
    warmFooter();
  }

  private static void runOthers() {
    initialize(OTHER_CLASSES);
  }

  private static void initialize(List<String> names) {
    ClassLoader loader = Prewarm.class.getClassLoader();
    for (String name : names) {
      try {
        Class.forName(name, true, loader);
      } catch (Throwable e) {
        // the conversion initializes it itself (and reports a failure there)
      }
    }
  }

  private static void warmRecords() {
    try {
      // a record's first hashCode bootstraps java.lang.runtime.ObjectMethods (method handles
      // spun at run time); the conversion hashes its inputs first thing (Partitions.infer)
      new Sources.Input(Path.of("a"), Path.of("a"), Path.of("a")).hashCode();
    } catch (Throwable e) {
      // only a start-up aid
    }
  }

  /**
   * Reads the footer of the small Parquet file bundled for the class-data archive's training
   * (see {@link dev.weft.cli.CdsTraining}): the first footer a JVM decodes runs cold (Thrift,
   * parquet-java's converter and the schema mapping linked and resolved as they go), ~20 ms that
   * the conversion's own footer then spares.
   */
  private static void warmFooter() {
    try (java.io.InputStream in = dev.weft.cli.CdsTraining.class.getResourceAsStream("cds-training.parquet")) {
      if (in != null) {
        dev.weft.cli.parquet.ParquetFile.warmUp(in.readAllBytes());
      }
    } catch (Throwable e) {
      // only a start-up aid
    }
  }

  /**
   * Links invokedynamic call sites (string concatenation) of parquet-java that the reader runs
   * before its first batch: each is linked once, by whichever thread runs it first.
   */
  private static void warmCallSites() {
    // a writer parquet-java knows, and one it does not (its error message is concatenated)
    for (String createdBy : List.of("parquet-mr version 1.12.3 (build f8dced182c4c1fbdec6ccb3185537b5a01e6ed6b)",
        "Polars")) {
      try {
        org.apache.parquet.VersionParser.parse(createdBy);
      } catch (Throwable e) {
        // only a start-up aid
      }
    }
  }
}
