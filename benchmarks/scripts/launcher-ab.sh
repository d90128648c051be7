#!/usr/bin/env bash
# Paired A/B of `weft convert` runs (session 9): each round runs the conversion once per variant,
# in order; a variant is a list of environment assignments, with LAUNCHER=path naming the
# launcher (default bin/weft of this checkout). Prints per variant the medians of in-command time
# (the command's summary), wall, CPU (user+sys) and minor page faults, and the median over rounds
# of its in-command and CPU ratios to the first variant (< 1: faster / less CPU than the first).
#
#   R=15 benchmarks/scripts/launcher-ab.sh "LAUNCHER=/tmp/base/bin/weft" "LAUNCHER=bin/weft"
#   R=15 benchmarks/scripts/launcher-ab.sh "X=1" "MALLOC_TRIM_THRESHOLD_=131072"
#   SRC=other.parquet THREADS=1 benchmarks/scripts/launcher-ab.sh ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${SRC:-$here/../../../shared/testdata/real/flights-3m.parquet}"
default_launcher="$here/../../bin/weft"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for e in "$@"; do # a first conversion per launcher (builds, class-data archive), not counted
  l="$default_launcher"; [[ "$e" == *LAUNCHER=* ]] && l="${e##*LAUNCHER=}" && l="${l%% *}"
  "$l" --version > /dev/null
done
for r in $(seq "${R:-11}"); do
  for e in "$@"; do
    l="$default_launcher"; [[ "$e" == *LAUNCHER=* ]] && l="${e##*LAUNCHER=}" && l="${l%% *}"
    # shellcheck disable=SC2086
    s=$( { env $e /usr/bin/time -f "%e %U %S %R" "$l" convert "$src" -o "$tmp/f.weft" --overwrite \
      --threads "${THREADS:-2}"; } 2>&1 | tr '\n' ' ')
    echo "[$e] $s"
  done
done > "$tmp/out.txt"
[[ -n "${RAW:-}" ]] && cat "$tmp/out.txt" >&2
python3 - "$tmp/out.txt" <<'PY'
import re, statistics, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r'\[(.*?)\].* in ([0-9.]+) s.*?([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9]+)\s*$', line)
    if m:
        rows.append((m.group(1), float(m.group(2)), float(m.group(4)) + float(m.group(5)), float(m.group(3)),
                     int(m.group(6))))
keys = list(dict.fromkeys(r[0] for r in rows)); n = len(keys)
rounds = [rows[i:i + n] for i in range(0, len(rows) - n + 1, n)]
for k in keys:
    sel = [x for x in rows if x[0] == k]
    ra = [next(x for x in r if x[0] == k)[1] / r[0][1] for r in rounds]
    rc = [next(x for x in r if x[0] == k)[2] / r[0][2] for r in rounds]
    print(f"[{k}] in-command {statistics.median([x[1] for x in sel]):.3f} s, wall "
          f"{statistics.median([x[3] for x in sel]):.3f} s, cpu {statistics.median([x[2] for x in sel]):.3f} s, "
          f"page faults {statistics.median([x[4] for x in sel]):.0f}; paired vs first: in-command "
          f"{statistics.median(ra):.3f}x, cpu {statistics.median(rc):.3f}x ({len(ra)} rounds)")
PY
