#!/bin/bash
# CPU milliseconds per cold scan (ScanServer "loop": a new reader per scan, all columns, batches of
# 65,536 rows) of each FILE, three alternating rounds of 4 s in one JVM per file set.
# usage: cpu-loop.sh fresh|reuse FILE.weft...   (run from the repository root after `mvn -B -q -o install -DskipTests`)
set -e
MODE=$1; shift
CP=$(cd benchmarks/python && ../../.venv/bin/python -c "from weftbench.common import java_classpath; print(java_classpath())")
{ for f in "$@"; do echo "loop $f 2 65536 all $MODE"; done
  for r in 1 2 3; do for f in "$@"; do echo "loop $f 4 65536 all $MODE"; done; done; echo quit; } \
  | java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx4g -cp "${EXTRA_CP:+$EXTRA_CP:}$CP" dev.weft.bench.ScanServer \
  | awk -v n=$# 'NR>n && $1=="ok" && NF==3 {printf "%.1f ms  ", $3*1000} END {print ""}'
