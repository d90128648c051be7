"""bin/weft and the JDK's Vector API (see bin/weft, WEFT_VECTOR): `weft serve` runs with the
incubator module jdk.incubator.vector, other commands only with WEFT_VECTOR=1; the JVM's warning
about the module never reaches stderr, so an error stays one line."""

import os
import subprocess

from conftest import ROOT, TESTDATA

LAUNCHER = ROOT / "bin" / "weft"


def run(*args, **env):
    e = dict(os.environ)
    e.pop("WEFT_CLASSPATH", None)
    e.update(env)
    return subprocess.run([str(LAUNCHER), *map(str, args)], capture_output=True, env=e, timeout=300)


def converted(tmp_path):
    out = tmp_path / "a.weft"
    src = TESTDATA / "parquet-testing" / "data" / "alltypes_plain.parquet"
    conv = run("convert", src, "-o", out, "-q")
    assert conv.returncode == 0, conv.stderr
    return out


def test_serve_errors_stay_one_line_with_the_vector_module(tmp_path):
    f = converted(tmp_path)
    for bad in (["--decoded-cache", "lots"], ["--block-cache=x"]):
        r = run("serve", f, *bad)
        assert r.returncode == 2, r
        lines = r.stderr.decode().splitlines()
        assert len(lines) == 1 and "not a size" in lines[0], lines
    missing = run("serve", tmp_path / "nope.weft")
    assert missing.returncode == 2
    assert missing.stderr.decode().count("\n") == 1 and "nope.weft" in missing.stderr.decode()


def test_any_command_with_weft_vector_1_and_nothing_extra_on_stderr(tmp_path):
    f = converted(tmp_path)
    for env in ({"WEFT_VECTOR": "1"}, {"WEFT_VECTOR": "0"}, {}):
        r = run("head", f, "-n", "2", **env)
        assert r.returncode == 0, r.stderr
        assert r.stderr == b"", (env, r.stderr)
        assert b"(first 2 rows of 8" in r.stdout, r.stdout
