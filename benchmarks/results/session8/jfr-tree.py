"""JFR execution samples (`jfr print --stack-depth 64 --events jdk.ExecutionSample`) summarized:
session 6's categories, the leaf methods within each, and inclusive counts of methods whose
names contain any argument after the file."""
import sys, re, collections
txt = open(sys.argv[1]).read()
cats = [('Parquet decode (reader thread)', ['BatchReader.next']),
        ('zone maps', ['FileIndexWriter.append']),
        ('shared-dictionary codes: coding values', ['BlockSealer.code']),
        ('shared-dictionary codes: encoding them', ['BlockSealer.sharedAlone', 'BlockSealer.shared']),
        ('per-block encodings: full selection (sampled blocks)', ['BlockSealer.selectAll']),
        ('per-block encodings: remembered scheme', ['BlockSealer.remembered']),
        ('block assembly, checksums, arena', ['BlockSealer.seal', 'NodeWriter.seal']),
        ('copying batches into pending blocks', ['NodeWriter.append', 'NodeWriter.copy']),
        ('row-group flush, dictionaries, footer', ['RowGroupFlusher', 'WeftWriter.flushRowGroup', 'WeftWriter.close']),
        ('class loading / JDK', ['ClassLoader', 'BuiltinClassLoader'])]
c = collections.Counter(); leaves = collections.defaultdict(collections.Counter); incl = collections.Counter(); n = 0
for e in txt.split('jdk.ExecutionSample')[1:]:
    fr = [f.split('(')[0] for f in re.findall(r'^\s+([\w.$<>]+\(.*?\))\s+line:', e, re.M)]
    if not fr:
        continue
    n += 1
    hit = 'other'
    for name, keys in cats:
        if any(any(f.endswith(k) or ('.' + k + '.') in f for k in keys) for f in fr):
            hit = name; break
    c[hit] += 1
    leaves[hit][fr[0].replace('dev.weft.', '')] += 1
    for pat in sys.argv[2:]:
        if any(pat in f for f in fr):
            incl[pat] += 1
print(f"{n} samples")
for k, v in c.most_common():
    print(f"{100*v/n:5.1f}%  {k}")
    for f, m in leaves[k].most_common(6):
        print(f"         {100*m/n:5.1f}%  {f}")
for pat in sys.argv[2:]:
    print(f"inclusive {100*incl[pat]/n:5.1f}%  {pat}")
