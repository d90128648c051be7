"""Python side of Weft's benchmark suite (benchmarks/bin/weft-bench): data generators, the
pyarrow peers, the driver that runs every peer, and the report (Markdown, JSON, PNG plots)."""
