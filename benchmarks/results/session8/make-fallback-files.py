"""Parquet files whose string chunks fall back from dictionary to PLAIN pages mid-chunk (pyarrow's
dictionary_pagesize_limit), with nulls, data pages v1 and v2, string/large_string/binary: for
`benchmarks/scripts/convert-same-bytes.sh NEW BASE T OUTDIR` (session 8).

    .venv/bin/python benchmarks/results/session8/make-fallback-files.py OUTDIR
"""
import random
import sys

import pyarrow as pa
import pyarrow.parquet as pq

out = sys.argv[1]
random.seed(5)
n = 60000
for i, (lim, ver, large, nullp) in enumerate([(512, "1.0", False, 0.1), (4096, "2.0", True, 0.0),
                                              (20000, "2.0", False, 0.3), (2048, "1.0", True, 0.05)]):
    vocab = [("v%d" % k) * (1 + k % 5) for k in range(3000)]
    vals = [None if random.random() < nullp else vocab[min(int(random.expovariate(1 / 300)), 2999)] for _ in range(n)]
    t = pa.table({"s": pa.array(vals, pa.large_string() if large else pa.string()),
                  "b": pa.array([None if v is None else v.encode() for v in vals], pa.binary()),
                  "n": pa.array([random.randint(0, 500) for _ in range(n)], pa.int64())})
    pq.write_table(t, f"{out}/fb{i}.parquet", dictionary_pagesize_limit=lim, data_page_version=ver,
                   row_group_size=25000, compression="zstd")
