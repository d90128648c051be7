package dev.weft.cli;

import dev.weft.format.WeftFormat;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/**
 * {@code weft --version}: the tool version, the file format versions it reads and writes, the JVM,
 * and whether images decode with the JDK's Vector API in this JVM.
 */
public final class WeftVersion implements CommandLine.IVersionProvider {
  private static final String POM_PROPERTIES = "/META-INF/maven/dev.weft/weft-cli/pom.properties";

  @Override
  public String[] getVersion() {
    return new String[] {
      "weft " + toolVersion(),
      "format version " + WeftFormat.VERSION_MAJOR_CURRENT + "." + WeftFormat.VERSION_MINOR_CURRENT
          + " (reads major versions " + WeftFormat.VERSION_MAJOR_START + "-" + WeftFormat.VERSION_MAJOR_CURRENT + ")",
      "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")",
      "image decoding with the Vector API: " + dev.weft.format.encoding.VectorDecoding.status()
          + (dev.weft.format.encoding.VectorDecoding.status().contains("--add-modules")
              ? " (weft serve adds it; WEFT_VECTOR=1: every command)" : "")
    };
  }

  /**
   * The version of the CLI: from the jar manifest or the Maven metadata packed into the jar;
   * "development build" when run from compiled classes.
   */
  public static String toolVersion() {
    String impl = WeftVersion.class.getPackage().getImplementationVersion();
    if (impl != null) {
      return impl;
    }
    try (InputStream in = WeftVersion.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank()) {
          return v;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "(development build)";
  }
}
