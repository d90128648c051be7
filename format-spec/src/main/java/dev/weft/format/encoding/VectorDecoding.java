package dev.weft.format.encoding;

import java.lang.management.ManagementFactory;

/**
 * Whether the decoders use the JDK's Vector API ({@link SpanVectorDecoder}), decided once per JVM.
 * It is an incubator module in JDK 17 to 25: a JVM has it only when started with
 * {@code --add-modules jdk.incubator.vector} (which also prints a one-line warning on stderr), as
 * {@code bin/weft serve}, the Python shim's loader server, the benchmarks and the tests are. The
 * vector decoders are used when
 * <ul>
 *   <li>the module is in the boot layer (else no class of it is ever loaded);
 *   <li>the JIT compiles with C2 (the Vector API is intrinsified only there: under C1 alone or the
 *       interpreter each operation allocates, hundreds of times slower than the scalar decoders);
 *   <li>the machine's vectors of bytes are at least 256 bits (AVX2 and up);
 *   <li>the system property {@code weft.vector} is not {@code false}.
 * </ul>
 * Else the scalar (SWAR) decoders run, which decode the same bytes into the same values. The first
 * few hundred blocks a JVM decodes with the Vector API are slow (about 0.5 s in all, until C2 has
 * compiled the loop): worth it in a long-running reader, such as the loader server.
 */
public final class VectorDecoding {
  /** Whether {@code jdk.incubator.vector} is in the boot layer (the vector decoders can be loaded). */
  static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
  /** Why the vector decoders are off, or null when they are on. */
  private static final String OFF_BECAUSE = offBecause();
  /** Whether the scan decoders use the Vector API. */
  static final boolean ENABLED = OFF_BECAUSE == null;

  private VectorDecoding() {}

  /** "on", or "off: " and why (for diagnostics: the loader server logs it). */
  public static String status() {
    return OFF_BECAUSE == null
        ? "on (this machine's vectors: " + SpanVectorDecoder.preferredBits() + " bits)"
        : "off: " + OFF_BECAUSE;
  }

  private static String offBecause() {
    if ("false".equalsIgnoreCase(System.getProperty("weft.vector"))) {
      return "-Dweft.vector=false";
    }
    if (!AVAILABLE) {
      return "the JVM was started without --add-modules jdk.incubator.vector";
    }
    String interpreted = System.getProperty("java.vm.info", "");
    if (interpreted.contains("interpreted mode")) {
      return "the JVM runs interpreted (-Xint)";
    }
    if (!c2()) {
      return "the JIT stops before C2 (-XX:TieredStopAtLevel below 4)";
    }
    int bits = SpanVectorDecoder.preferredBits();
    if (bits < 256) {
      return "this machine's vectors have " + bits + " bits (256 needed)";
    }
    return null;
  }

  /**
   * Whether C2 compiles: the JVM's own flags, wherever they were set (command line,
   * JAVA_TOOL_OPTIONS, argument files): no tiered compilation (C2 alone), or tiers up to 4.
   */
  private static boolean c2() {
    com.sun.management.HotSpotDiagnosticMXBean vm;
    try {
      vm = ManagementFactory.getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
    } catch (LinkageError | RuntimeException e) {
      return true; // no jdk.management in this runtime: assume the default JIT
    }
    if (vm == null) {
      return true;
    }
    return !Boolean.parseBoolean(vm.getVMOption("TieredCompilation").getValue())
        || Integer.parseInt(vm.getVMOption("TieredStopAtLevel").getValue()) >= 4;
  }
}
