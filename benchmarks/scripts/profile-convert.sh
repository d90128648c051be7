#!/usr/bin/env bash
# CPU profile of a fresh JVM's `weft convert` by thread, frame type and stage (session 9), with
# async-profiler (Maven Central: tools.profiler:async-profiler:4.1:jar:linux-x64; fetched into the
# local Maven repository on first use). Runs the conversion RUNS times (default 2), sampling every
# 250 us of CPU, and prints for the conversion threads (reader, writer, encode helper): samples per
# frame type (1/j compiled, 0 interpreted, i inlined, k kernel, native), per stage of the pipeline
# and per method (self time). Compare two builds with LAUNCHER=.../bin/weft.
#
#   benchmarks/scripts/profile-convert.sh [SRC] [RUNS]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="${1:-$here/../../../shared/testdata/real/flights-3m.parquet}"
runs="${2:-2}"
launcher="${LAUNCHER:-$here/../../bin/weft}"
repo="${MAVEN_REPO:-$HOME/.m2/repository}"
jar="$repo/tools/profiler/async-profiler/4.1/async-profiler-4.1-linux-x64.jar"
if [[ ! -f "$jar" ]]; then
  mvn -B -q dependency:get -Dartifact=tools.profiler:async-profiler:4.1:jar:linux-x64 -Dtransitive=false >&2
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && unzip -q -o "$jar" linux-x64/libasyncProfiler.so)
"$launcher" --version > /dev/null
for i in $(seq "$runs"); do
  WEFT_JAVA_OPTS="${WEFT_JAVA_OPTS:-} -agentpath:$tmp/linux-x64/libasyncProfiler.so=start,event=cpu,interval=250us,threads,ann,file=$tmp/p$i.txt,collapsed" \
    "$launcher" convert "$src" -o "$tmp/out.weft" --overwrite --threads "${THREADS:-2}" | grep -v '^Profiling' >&2
done
cat "$tmp"/p*.txt > "$tmp/all.txt"
python3 - "$tmp/all.txt" <<'PY'
import collections, re, sys
stages = [('reader (Parquet decode)', ['BatchReader', 'FlatColumnReader', 'LeafReader', 'PageCodecs']),
          ('zone maps', ['ZoneAccumulator', 'ColumnIndexBuilder', 'FileIndexWriter']),
          ('dictionary coding', ['BlockSealer.code']),
          ('shared codes, remembered way', ['BlockSealer.sharedAlone']),
          ('full selection (samples)', ['BlockSealer.selectAll']),
          ('shared codes, compared', ['BlockSealer.shared']),
          ('remembered way', ['BlockSealer.remembered']),
          ('sealing (checksums, arena)', ['BlockSealer.seal']),
          ('copying batches into blocks', ['NodeWriter.append', 'NodeWriter.copy', 'NodeBatch']),
          ('row-group flush, close', ['RowGroupFlusher', 'WeftWriter.close', 'WeftWriter.flush'])]
threads = collections.Counter(); kinds = collections.Counter(); stage = collections.Counter()
own = collections.Counter(); total = 0
for line in open(sys.argv[1]):
    st, n = line.rstrip().rsplit(' ', 1); n = int(n)
    fr = st.split(';')
    t = re.sub(r' tid=\d+', '', fr[0].strip('[]')); t = re.sub(r'-\d+$', '-N', t)
    threads[t] += n
    if not t.startswith(('weft-convert', 'weft-encode')):
        continue
    total += n
    m = re.search(r'_\[(.)\]$', fr[-1]); kinds[m.group(1) if m else 'native'] += n
    names = [re.sub(r'_\[.\]$', '', x).replace('/', '.') for x in fr[1:]]
    hit = next((s for s, keys in stages if any(any(k in f for k in keys) for f in names)), 'other')
    stage[hit] += n
    java = [x for x in fr[1:] if re.search(r'_\[[j01i]\]$', x)]
    own[re.sub(r'_\[.\]$', '', java[-1]).replace('/', '.') if java else names[-1]] += n
print('samples (250 us of CPU each) per thread:', ', '.join(f'{k} {v}' for k, v in threads.most_common(10)))
print(f'conversion threads: {total} samples; frame types:',
      ', '.join(f'{k} {100 * v / total:.0f}%' for k, v in kinds.most_common()))
for k, v in stage.most_common():
    print(f'  {v:6d} {100 * v / total:5.1f}%  {k}')
print('top methods (self):')
for k, v in own.most_common(25):
    print(f'  {v:6d} {100 * v / total:5.1f}%  {k}')
PY
