package dev.weft.bench;

import java.io.InputStream;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;

/** Versions of the measured libraries, from the pom.properties in their jars. */
final class Versions {
  private Versions() {}

  static String of(String group, String artifact) {
    String res = "META-INF/maven/" + group + "/" + artifact + "/pom.properties";
    try (InputStream in = Versions.class.getClassLoader().getResourceAsStream(res)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "?");
      }
    } catch (Exception e) {
      // fall through
    }
    return "?";
  }

  static String weft() {
    String v = of("dev.weft", "weft-reader");
    return v.equals("?") ? "(classes dir)" : v;
  }

  /** Where the Weft writer and reader classes were loaded from, and their jars' times. */
  static String weftBuild() {
    return "writer " + where(dev.weft.writer.WeftWriter.class) + ", reader " + where(dev.weft.reader.WeftReader.class);
  }

  private static String where(Class<?> c) {
    try {
      URL url = c.getProtectionDomain().getCodeSource().getLocation();
      Path p = Path.of(url.toURI());
      return p.getFileName() + " (" + Instant.ofEpochMilli(Files.getLastModifiedTime(p).toMillis()) + ")";
    } catch (Exception e) {
      return "?";
    }
  }

  static String lance() {
    String v = of("org.lance", "lance-core");
    if (!v.equals("?")) {
      return v;
    }
    // the lance-core jar has no pom.properties: take the version from the jar's file name
    try {
      String jar = Path.of(org.lance.Dataset.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .getFileName().toString();
      if (jar.startsWith("lance-core-") && jar.endsWith(".jar")) {
        return jar.substring("lance-core-".length(), jar.length() - 4);
      }
    } catch (Exception e) {
      // fall through
    }
    return "?";
  }

  static String arrow() {
    return of("org.apache.arrow", "arrow-vector");
  }

  static String parquet() {
    return of("org.apache.parquet", "parquet-hadoop");
  }
}
