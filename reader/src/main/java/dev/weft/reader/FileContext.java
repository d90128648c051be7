package dev.weft.reader;

import java.nio.file.Path;

/** What every part of one open reader shares; {@code major} is the file's format major version. */
record FileContext(Path path, MappedFile file, ReaderStats stats, boolean verifyChecksums, BlockCache cache,
    int major) {}
