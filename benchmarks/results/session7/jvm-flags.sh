#!/usr/bin/env bash
# Paired launcher rounds with different WEFT_JAVA_OPTS (RESULTS.md, session 7): each round runs
# `bin/weft convert flights-3m --threads 2` once per option set, in order; prints per option set
# the median of (its in-command time / the first set's) and of the wall and CPU ratios over the rounds.
#   R=15 jvm-flags.sh "-Dnone=1" "-XX:Tier3BackEdgeThreshold=60000"
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
launcher="${L:-$here/../../../bin/weft}"
src="${SRC:-$here/../../../../shared/testdata/real/flights-3m.parquet}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for r in $(seq "${R:-11}"); do
  for o in "$@"; do
    s=$( { /usr/bin/time -f "%e %U %S" env WEFT_JAVA_OPTS="$o" "$launcher" convert "$src" -o "$tmp/f.weft" --overwrite \
      --threads 2; } 2>&1 | tr '\n' ' ')
    echo "[$o] $s"
  done
done > "$tmp/out.txt"
python3 - "$tmp/out.txt" <<'PY'
import re, statistics, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r'\[(.*?)\].* in ([0-9.]+) s.*?([0-9.]+) ([0-9.]+) ([0-9.]+)\s*$', line)
    if m:
        rows.append((m.group(1), float(m.group(2)), float(m.group(4)) + float(m.group(5)), float(m.group(3))))
keys = list(dict.fromkeys(r[0] for r in rows))
rounds = [rows[i:i + len(keys)] for i in range(0, len(rows) - len(keys) + 1, len(keys))]
for k in keys:
    t = [x[1] for x in rows if x[0] == k]
    c = [x[2] for x in rows if x[0] == k]
    w = [x[3] for x in rows if x[0] == k]
    ra = [next(x for x in r if x[0] == k)[1] / r[0][1] for r in rounds]
    rc = [next(x for x in r if x[0] == k)[2] / r[0][2] for r in rounds]
    rw = [next(x for x in r if x[0] == k)[3] / r[0][3] for r in rounds]
    print(f"[{k}] in-command median {statistics.median(t):.3f} s, wall {statistics.median(w):.3f} s, "
          f"cpu {statistics.median(c):.3f} s; paired vs first: in-command {statistics.median(ra):.3f}x, "
          f"wall {statistics.median(rw):.3f}x, cpu {statistics.median(rc):.3f}x ({len(ra)} rounds)")
PY
