"""bin/weft's class-data sharing archive (see bin/weft, cds_archive): made once per build, used
silently (nothing on stdout or stderr), and optional (WEFT_CDS=0)."""

import os
import subprocess

import pyarrow as pa

from conftest import ROOT, TESTDATA

LAUNCHER = ROOT / "bin" / "weft"
CDS_DIR = ROOT / "cli" / "target" / "cds"


def run(*args, **env):
    e = dict(os.environ)
    e.pop("WEFT_CLASSPATH", None)
    e.update(env)
    return subprocess.run([str(LAUNCHER), *args], capture_output=True, env=e, timeout=300)


def test_the_archive_is_made_once_and_used_silently(tmp_path):
    first = run("--version")
    assert first.returncode == 0, first.stderr
    assert first.stderr == b""
    archives = sorted(CDS_DIR.glob("weft-*.jsa"))
    assert len(archives) == 1, list(CDS_DIR.iterdir())
    made = archives[0].stat().st_mtime_ns
    # a conversion and a binary stdout with the archive: stdout carries only the command's output
    src = TESTDATA / "parquet-testing" / "data" / "alltypes_plain.parquet"
    out = tmp_path / "a.weft"
    conv = run("convert", str(src), "-o", str(out))
    assert conv.returncode == 0, conv.stderr
    assert conv.stderr == b""
    cat = run("cat", str(out), "--format", "arrow")
    assert cat.returncode == 0, cat.stderr
    assert cat.stderr == b""
    assert pa.ipc.open_stream(cat.stdout).read_all().num_rows == 8
    assert archives[0].stat().st_mtime_ns == made  # not made again
    assert not list(CDS_DIR.glob("*.tmp*"))


def test_without_the_archive(tmp_path):
    r = run("--version", WEFT_CDS="0")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(b"weft ")
