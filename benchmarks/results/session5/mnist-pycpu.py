import sys, time, statistics
import pyarrow.parquet as pq
path = sys.argv[1]; reps = int(sys.argv[2])
t=[]; w=[]
for r in range(reps + 1):
    c0 = time.thread_time(); w0 = time.perf_counter()
    n = pq.ParquetFile(path).read(use_threads=False).num_rows
    if r: t.append(time.thread_time() - c0); w.append(time.perf_counter() - w0)
print(f"pyarrow {path}: thread CPU median {statistics.median(t)*1e3:.1f} ms, wall median {statistics.median(w)*1e3:.1f} ms, wall min {min(w)*1e3:.1f} ms ({n} rows)")
