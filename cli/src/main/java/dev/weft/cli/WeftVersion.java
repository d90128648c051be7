package dev.weft.cli;

import dev.weft.format.WeftFormat;
import picocli.CommandLine;

/** {@code weft --version}: the tool version and the file format versions it reads and writes. */
public final class WeftVersion implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String impl = WeftVersion.class.getPackage().getImplementationVersion();
    return new String[] {
      "weft " + (impl == null ? "0.1.0-SNAPSHOT" : impl),
      "format version " + WeftFormat.VERSION_MAJOR_CURRENT + "." + WeftFormat.VERSION_MINOR_CURRENT
          + " (reads major versions " + WeftFormat.VERSION_MAJOR_START + "-" + WeftFormat.VERSION_MAJOR_CURRENT + ")",
      "Java " + System.getProperty("java.version")
    };
  }
}
