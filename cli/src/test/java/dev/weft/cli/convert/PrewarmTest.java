package dev.weft.cli.convert;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import org.junit.jupiter.api.Test;

/**
 * {@link Prewarm} names classes of other libraries by string: each must still exist (a renamed
 * class would silently stop being prewarmed), and running it must not throw.
 */
class PrewarmTest {
  @Test
  void everyNamedClassExistsAndRunDoesNotThrow() {
    ClassLoader loader = Prewarm.class.getClassLoader();
    for (String name : Prewarm.CLASSES) {
      assertDoesNotThrow(() -> Class.forName(name, false, loader), name);
    }
    assertDoesNotThrow(Prewarm::run);
  }
}
