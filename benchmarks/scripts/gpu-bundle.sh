#!/usr/bin/env bash
# Packs what the GPU check (gpu-check.sh) needs on a device machine that has python3 with CUDA
# torch and pyarrow but no JDK, into .gpu/ (git-ignored through .git/info/exclude; the device
# tool carries it): a jlink'd Java 17 runtime with jdk.incubator.vector, the CLI's jar and the
# libraries that conversion and the loader server load (linux-x86_64 natives only), xz-packed to
# stay under the tool's 64 MiB, and the first 5,000 Fashion-MNIST test images. Run from the
# repository root after `mvn -B -q -o -pl cli -am install -DskipTests`; then, with the device tool,
# `bash .gpu/run.sh` carrying .gpu (session 8: 44 s on an H100).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"
grep -qx '/.gpu/' .git/info/exclude 2>/dev/null || echo /.gpu/ >>.git/info/exclude
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/b/lib" .gpu
cp cli/target/weft-cli.jar "$tmp/b/"
# the jars a conversion and the loader server load (the rest: Hadoop's optional parts, other platforms' natives)
skip='netty-tcnative|netty-handler|netty-resolver|netty-codec-socks|netty-codec-compression|netty-transport-native|jline|gson|woodstox|stax2|commons-|hadoop-shaded-guava|proto-google-common-protos|protobuf-java-util|grpc-util|snappy-java|jackson-datatype|jsr305|javax.annotation|weft-testdata'
for j in cli/target/lib/*.jar; do [[ "$(basename "$j")" =~ $skip ]] || cp "$j" "$tmp/b/lib/"; done
z="$(ls "$tmp"/b/lib/zstd-jni-*.jar)"
(mkdir "$tmp/z" && cd "$tmp/z" && unzip -q "$z" && find . \( -name '*.so' -o -name '*.dll' -o -name '*.dylib' \) ! -path '*linux/amd64*' -delete \
  && rm "$z" && zip -q -r "$z" .)
jlink --add-modules java.base,java.naming,java.security.jgss,java.security.sasl,java.sql,jdk.incubator.vector,jdk.management,jdk.unsupported,java.xml,java.logging,jdk.zipfs,jdk.crypto.ec \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$tmp/b/jre" 2>&1 | grep -v '^WARNING: Using incubator' || true
rm -rf "$tmp/b/jre/legal" "$tmp"/b/jre/lib/server/classes*.jsa
tar -C "$tmp/b" -cf - jre lib weft-cli.jar | xz -T2 -9 >.gpu/bundle.tar.xz
.venv/bin/python -c "import pyarrow.parquet as pq, sys; pq.write_table(pq.read_table(sys.argv[1]).slice(0, 5000), '.gpu/fashion-mnist-test.parquet', compression='zstd')" \
  ../shared/testdata/real/fashion-mnist-test.parquet
cp benchmarks/scripts/gpu-check.sh .gpu/run.sh
du -sh --apparent-size .gpu
