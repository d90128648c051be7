package dev.weft.reader;

import java.nio.file.Path;

/** What every part of one open reader shares. */
record FileContext(Path path, MappedFile file, ReaderStats stats, boolean verifyChecksums, BlockCache cache) {}
