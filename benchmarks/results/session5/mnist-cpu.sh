#!/bin/bash
# Same-run, one-thread CPU comparison of cold full scans (thread CPU: less sensitive to a busy
# machine than wall time): pyarrow's ParquetFile.read(use_threads=False) (mnist-pycpu.py) against
# Weft scans (mnist-ScanCpu.java) of the 4.0 file (UP images) and the 5.0 file (SPAN images), then
# single-row takes with the block cache off (../scan2-cold-scan/TakeBench.java).
# Usage, from benchmarks/python after `mvn -B -q -o install -DskipTests`:
#   ../results/session5/mnist-cpu.sh PARQUET OLD.weft NEW.weft [OLD_READER_CLASSPATH]
# The files: scan_compare's work folders (parquet.parquet, weft-zstd.weft), the old one written by
# the 4.0 build. OLD_READER_CLASSPATH (optional): the 4.0 build's format-spec and reader jars, to
# scan OLD.weft with the old reader too.
set -e
PQ=$1; OLD=$2; NEW=$3; OLDCP=$4
CP=$(../../.venv/bin/python -c "from weftbench.common import java_classpath; print(java_classpath())")
T=$(mktemp -d)
javac -d $T -cp "$CP" ../results/session5/mnist-ScanCpu.java ../results/scan2-cold-scan/TakeBench.java
J="java --add-opens=java.base/java.nio=ALL-UNNAMED"
for round in 1 2; do
  ../../.venv/bin/python ../results/session5/mnist-pycpu.py $PQ 21
  $J -cp "$CP:$T" ScanCpu 21 $OLD $NEW 2>&1 | grep -v SLF4J | tail -2
  if [ -n "$OLDCP" ]; then echo "old reader: $($J -cp "$OLDCP:$CP:$T" ScanCpu 21 $OLD 2>&1 | grep -v SLF4J | tail -1)"; fi
done
$J -cp "$CP:$T" TakeBench $OLD $NEW 2>&1 | grep -v SLF4J
rm -rf $T
