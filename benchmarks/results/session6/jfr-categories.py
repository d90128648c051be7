import sys, re, collections
txt=open(sys.argv[1]).read()
cats=[('Parquet decode (reader thread)', ['BatchReader.next']),
      ('zone maps', ['FileIndexWriter.append']),
      ('shared-dictionary codes: coding values', ['BlockSealer.code']),
      ('shared-dictionary codes: encoding them', ['BlockSealer.sharedAlone','BlockSealer.shared']),
      ('per-block encodings: full selection (sampled blocks)', ['BlockSealer.selectAll']),
      ('per-block encodings: remembered scheme', ['BlockSealer.remembered']),
      ('block assembly, checksums, arena', ['BlockSealer.seal','NodeWriter.seal']),
      ('copying batches into pending blocks', ['NodeWriter.append','NodeWriter.copy']),
      ('row-group flush, dictionaries, footer', ['RowGroupFlusher','WeftWriter.flushRowGroup','WeftWriter.close']),
      ('class loading / JDK', ['ClassLoader','BuiltinClassLoader'])]
c=collections.Counter(); n=0
for e in txt.split('jdk.ExecutionSample')[1:]:
    fr=[f.split('(')[0] for f in re.findall(r'^\s+([\w.$<>]+\(.*?\))\s+line:', e, re.M)]
    if not fr: continue
    n+=1
    hit='other'
    for name,keys in cats:
        if any(any(f.endswith(k) or ('.'+k+'.') in f for k in keys) for f in fr):
            hit=name; break
    c[hit]+=1
for k,v in c.most_common(): print(f"{100*v/n:5.1f}%  {k}")
