#!/usr/bin/env bash
# Issue #7's speed target: `bin/weft convert flights-3m.parquet --threads 2` against pyarrow reading the
# same file and writing it back as Parquet (zstd), alternately in the same run, with medians, ratios and
# the median of each round's own ratio. A wrapper of cli/src/test/python/bench_convert_flights.py (its
# docstring explains every number) with the venv that bin/test makes; arguments pass through.
#
#   benchmarks/scripts/convert-vs-pyarrow.sh [--rounds 15] [--process] [--baseline-launcher OLD/bin/weft] [FILE...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
python="$root/.venv/bin/python"
[[ -x "$python" ]] || { echo "convert-vs-pyarrow.sh: $python is missing; run bin/test once (it makes .venv)" >&2; exit 2; }
exec "$python" "$root/cli/src/test/python/bench_convert_flights.py" "$@"
