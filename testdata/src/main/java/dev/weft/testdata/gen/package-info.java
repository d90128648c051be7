/**
 * Seeded, deterministic table generators for the demo, the tests and the benchmark suite: the
 * recsys table ({@link dev.weft.testdata.gen.RecsysGenerator}), a wide feature table
 * ({@link dev.weft.testdata.gen.WideGenerator}) and a text table
 * ({@link dev.weft.testdata.gen.TextGenerator}). Each produces batch {@code b} as a pure function
 * of its seed and {@code b}, so a table is streamed batch by batch and any batch can be
 * regenerated on its own; {@link dev.weft.testdata.gen.GenMain} writes one as an Arrow IPC stream.
 */
package dev.weft.testdata.gen;
