#!/usr/bin/env bash
# Write time of two Weft builds side by side: `weft convert` of each input with each build's CLI jar,
# ROUNDS interleaved rounds (the order alternating), then per build and input the median seconds
# and the output size.
#   benchmarks/scripts/write-time.sh BASE_JAR NEW_JAR INPUT.parquet... [ROUNDS=4 in the environment]
# A jar is a cli/target/weft-cli.jar with its lib/ folder next to it (copy both out of a build).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base="$1"; new="$2"; shift 2
rounds="${ROUNDS:-4}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for ((r = 1; r <= rounds; r++)); do
  if ((r % 2)); then order="base new"; else order="new base"; fi
  for v in $order; do
    jar=$base; [[ $v == new ]] && jar=$new
    for d in "$@"; do
      out="$work/$v-$(basename "$d" .parquet).weft"
      s=$(date +%s.%N)
      WEFT_CLASSPATH="$jar" "$root/bin/weft" convert "$d" -o "$out" --overwrite >/dev/null 2>&1
      e=$(date +%s.%N)
      echo "$v $(basename "$d") $(echo "$e - $s" | bc) $(stat -c %s "$out")"
    done
  done
done | tee "$work/times" >&2
sort -k1,2 -k3n "$work/times" | awk '{k=$1" "$2; t[k]=t[k]" "$3; s[k]=$4; n[k]++}
  END {for (k in t) {split(substr(t[k],2), a, " "); m=n[k]; med=(m%2)?a[(m+1)/2]:(a[m/2]+a[m/2+1])/2;
       printf "%s: median %.1f s over %d rounds, %d bytes\n", k, med, m, s[k]}}' | sort
