#!/usr/bin/env bash
# Steady-state A/B of two builds (session 7s ab.sh; session 8: R rounds, raw lines on stderr): JVMs of NEW and BASE alternate, 3 rounds,
# each converting flights-3m N times (ConvertCols, C1 and the serial collector as bin/weft runs a
# short conversion); prints the medians of wall and CPU seconds per conversion.
#   NEW=/work/wt/conv4 BASE=/tmp/conv4-base [COLS=date,delay] [T=2] [N=12] ab.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N=${N:-12}; COLS=${COLS:-all}; T=${T:-2}
NEW="${NEW:-$(cd "$here/../../.." && pwd)}"; BASE="${BASE:?set BASE to the baseline checkout (built)}"
src="${SRC:-$here/../../../../shared/testdata/real/flights-3m.parquet}"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
for b in NEW BASE; do
  r="${!b}"
  mkdir -p "$tmp/$b" && javac -cp "$r/cli/target/weft-cli.jar:$r/cli/target/lib/*" -d "$tmp/$b" "$here/../session7/ConvertCols.java"
done
for round in $(seq 1 ${R:-3}); do
  for b in NEW BASE; do
    r="${!b}"
    java --add-opens=java.base/java.nio=ALL-UNNAMED -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss16m \
      -cp "$r/cli/target/weft-cli.jar:$r/cli/target/lib/*:$tmp/$b" ConvertCols "$N" "$src" "$tmp/$b.weft" "$COLS" "$T" \
      2>/dev/null | sed "s/^/$b /"
  done
done > "$tmp/out.txt"
cat "$tmp/out.txt" >&2
python3 - "$tmp/out.txt" <<'PY'
import statistics, sys, collections
d = collections.defaultdict(lambda: ([], []))
for line in open(sys.argv[1]):
    p = line.split()
    d[p[0]][0].append(float(p[3])); d[p[0]][1].append(float(p[6]))
for k, (w, c) in d.items():
    print(f"{k}: wall median {statistics.median(w):.3f} s, cpu median {statistics.median(c):.3f} s ({len(w)} conversions)")
PY
