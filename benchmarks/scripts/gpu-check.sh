#!/usr/bin/env bash
# GPU check (session 8), run on a device machine from the repository root with .gpu/ made by
# benchmarks/scripts/gpu-bundle.sh: the CUDA, device, fast-path, worker and server tests of the
# python shim, and the Fashion-MNIST example trained with device=cuda. Logs go to $OUT.
set -uo pipefail
OUT="${OUT:-/tmp/gpu-out}"; mkdir -p "$OUT"
g=/tmp/g; rm -rf $g; mkdir -p $g && tar -C $g -xJf .gpu/bundle.tar.xz || exit 3
export JAVA_HOME=$g/jre PATH=$g/jre/bin:$PATH
export WEFT_CLASSPATH="$g/weft-cli.jar:$g/lib/*"; export WEFT_JAVA_CLASSPATH="$WEFT_CLASSPATH"
export PYTHONPATH=$PWD/python-shim/src PYTHONUNBUFFERED=1
PY=${PY:-python3}
{ nvidia-smi -L; nproc; $PY -c "import torch,pyarrow,numpy;print('torch',torch.__version__,'cuda',torch.cuda.is_available(),'pyarrow',pyarrow.__version__,'numpy',numpy.__version__)"; java -version 2>&1 | tail -1; WEFT_VECTOR=1 bin/weft --version; } 2>&1 | tee $OUT/env.log
timeout ${T:-300} $PY -m pytest -q -p no:cacheprovider ${TESTS:-python-shim/tests/test_cuda.py python-shim/tests/test_device.py python-shim/tests/test_fastpath.py python-shim/tests/test_workers.py python-shim/tests/test_server.py} 2>&1 | tee $OUT/pytest.log
if [[ "${TRAIN:-1}" == 1 ]]; then
  mkdir -p ../shared/testdata/real && cp .gpu/fashion-mnist-test.parquet ../shared/testdata/real/fashion-mnist-train.parquet
  timeout 180 $PY python-shim/examples/train_mlp.py --dataset fashion-mnist --epochs 4 ${DEV:---device cuda} --data /tmp/g/fm.weft 2>&1 | tee $OUT/train.log
fi
