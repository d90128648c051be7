#!/usr/bin/env bash
# Checks that two builds of `weft convert` write the same bytes: converts every Parquet file of
# the given directories (default: ../shared/testdata/parquet-testing/data, hyparquet and real)
# with both launchers, one JVM per directory and launcher, and compares each pair of outputs.
# Two runs of one build differ in the random file id (header and tail) and the checksums over
# it: up to 48 differing bytes (`cmp -l`) with equal sizes count as the same.
#
#   benchmarks/scripts/convert-same-bytes.sh NEW_LAUNCHER BASE_LAUNCHER [THREADS] [DIR...]
#
# e.g. benchmarks/scripts/convert-same-bytes.sh bin/weft /tmp/main/bin/weft 2
# Exits 1 if any output differs or is missing.
set -euo pipefail

new="$1"
base="$2"
threads="${3:-2}"
shift $(($# < 3 ? $# : 3))
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
data="$root/../shared/testdata"
dirs=("$@")
((${#dirs[@]})) || dirs=("$data/parquet-testing/data" "$data/hyparquet" "$data/real")
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

for d in "${dirs[@]}"; do
  name="$(basename "$d")"
  # bad inputs fail in both builds alike (--keep-going goes on with the others)
  "$new" convert "$d" -o "$out/new/$name" --keep-going --threads "$threads" -q >/dev/null 2>&1 || true
  "$base" convert "$d" -o "$out/base/$name" --keep-going --threads "$threads" -q >/dev/null 2>&1 || true
done

same=0
bad=0
while IFS= read -r f; do
  rel="${f#"$out/base/"}"
  g="$out/new/$rel"
  if [[ ! -f "$g" ]]; then
    echo "missing in the new build's outputs: $rel"
    bad=$((bad + 1))
    continue
  fi
  n="$( (cmp -l "$f" "$g" 2>/dev/null || true) | wc -l)"
  if [[ "$(stat -c %s "$f")" == "$(stat -c %s "$g")" ]] && ((n <= 48)); then
    same=$((same + 1))
  else
    echo "differs: $rel ($(stat -c %s "$f") vs $(stat -c %s "$g") bytes, $n bytes differ)"
    bad=$((bad + 1))
  fi
done < <(find "$out/base" -name '*.weft' | sort)
extra="$(cd "$out/new" 2>/dev/null && find . -name '*.weft' | wc -l)"
echo "$same outputs the same, $bad differing or missing ($extra outputs from the new build; threads $threads)"
((bad == 0))
