#!/usr/bin/env bash
# Paired A/B of `weft convert` in fresh JVMs: converts flights-3m (or $SRC) with each variant in
# turn, R rounds (default 11), and prints per variant the medians of the in-command time (the
# summary line's), wall time, CPU time (user + sys) and minor page faults, and the median of the
# per-round ratios to the first variant (< 1.0x: faster). A variant is a list of environment
# assignments; LAUNCHER=path picks the launcher (default this checkout's bin/weft, or $L); each
# launcher runs `--version` once first (a build, the class-data archive), not timed. Name a
# variant twice (e.g. add X=1) to see the noise. OUT=file keeps every run's summary line and /usr/bin/time fields (elapsed, user, sys, minor faults) there, then the medians.
#
#   R=15 benchmarks/scripts/convert-ab.sh "LAUNCHER=/tmp/base/bin/weft" "LAUNCHER=$PWD/bin/weft"
#   R=20 benchmarks/scripts/convert-ab.sh "X=0" "WEFT_JAVA_OPTS=-Dweft.parquet.fastPath=false"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
src="${SRC:-$root/../shared/testdata/real/flights-3m.parquet}"
L="${L:-$root/bin/weft}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for e in "$@"; do
  l="$L"; [[ "$e" == *LAUNCHER=* ]] && l="${e##*LAUNCHER=}" && l="${l%% *}"
  "$l" --version > /dev/null
done
for r in $(seq "${R:-11}"); do
  for e in "$@"; do
    l="$L"; [[ "$e" == *LAUNCHER=* ]] && l="${e##*LAUNCHER=}" && l="${l%% *}"
    # shellcheck disable=SC2086  # a variant is several assignments
    s=$( { env $e /usr/bin/time -f "%e %U %S %R" "$l" convert "$src" -o "$tmp/f.weft" --overwrite --threads "${THREADS:-2}"; } 2>&1 | tr '\n' ' ')
    echo "[$e] $s"
  done
done > "$tmp/out.txt"
python3 - "$tmp/out.txt" <<'PY' | tee "$tmp/summary.txt"
import re, statistics, sys
rows = []
for line in open(sys.argv[1]):
    m = re.match(r'\[(.*?)\].* in ([0-9.]+) s.*?([0-9.]+) ([0-9.]+) ([0-9.]+) ([0-9]+)\s*$', line)
    if m:
        rows.append((m.group(1), float(m.group(2)), float(m.group(4)) + float(m.group(5)), float(m.group(3)), int(m.group(6))))
    else:
        print("unparsed:", line.strip()[:200], file=sys.stderr)
keys = list(dict.fromkeys(r[0] for r in rows))
n = len(keys)
rounds = [rows[i:i + n] for i in range(0, len(rows) - n + 1, n)]
rounds = [r for r in rounds if [x[0] for x in r] == keys]  # a round with a failed run is left out
for k in keys:
    sel = [x for x in rows if x[0] == k]
    ra = [next(x for x in r if x[0] == k)[1] / r[0][1] for r in rounds]
    rc = [next(x for x in r if x[0] == k)[2] / r[0][2] for r in rounds]
    print(f"[{k[:60]}] in-cmd {statistics.median([x[1] for x in sel]):.3f} wall {statistics.median([x[3] for x in sel]):.3f}"
          f" cpu {statistics.median([x[2] for x in sel]):.3f} flt {statistics.median([x[4] for x in sel]):.0f};"
          f" paired in-cmd {statistics.median(ra):.3f}x cpu {statistics.median(rc):.3f}x ({len(ra)})")
PY
if [[ -n "${OUT:-}" ]]; then
  { echo "# $(date -u '+%F %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), R=${R:-11}: $*"; cat "$tmp/out.txt"; echo "# medians"; cat "$tmp/summary.txt"; } > "$OUT"
fi
