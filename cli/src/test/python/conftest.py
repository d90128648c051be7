"""Shared helpers for the CLI's Python tests: where the repository, the test data and the
`weft` launcher are, and how to run it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[4]  # <root>/cli/src/test/python/conftest.py


def _testdata():
    env = os.environ.get("WEFT_TESTDATA")
    if env:
        return Path(env)
    # ../shared/testdata beside the repository (walk up in case the checkout is nested)
    for d in [ROOT, *ROOT.parents]:
        cand = d.parent / "shared" / "testdata"
        if cand.is_dir():
            return cand
        cand = d / "shared" / "testdata"
        if cand.is_dir():
            return cand
    return ROOT.parent / "shared" / "testdata"


TESTDATA = _testdata()


def weft_command():
    """The launcher, bin/weft; before it exists, java with the packaged jar."""
    launcher = ROOT / "bin" / "weft"
    if launcher.is_file() and os.access(launcher, os.X_OK):
        return [str(launcher)]
    jar = ROOT / "cli" / "target" / "weft-cli.jar"
    lib = ROOT / "cli" / "target" / "lib"
    java = shutil.which("java") or "java"
    return [java, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", f"{jar}:{lib}/*", "dev.weft.cli.WeftCli"]


def run_weft(*args, timeout=300, stdout=subprocess.PIPE, check=False, java_opts=None):
    """Runs `weft ARGS...`; returns the CompletedProcess (stdout bytes, stderr text).

    java_opts: extra JVM options (WEFT_JAVA_OPTS of bin/weft), e.g. for short runs."""
    env = dict(os.environ)
    if java_opts:
        env["WEFT_JAVA_OPTS"] = (env.get("WEFT_JAVA_OPTS", "") + " " + java_opts).strip()
    proc = subprocess.run(weft_command() + [str(a) for a in args], stdout=stdout, stderr=subprocess.PIPE,
                          timeout=timeout, cwd=ROOT, env=env)
    proc.stderr = proc.stderr.decode("utf-8", "replace")
    if check and proc.returncode != 0:
        raise AssertionError(f"weft {' '.join(map(str, args))} exited {proc.returncode}: {proc.stderr}")
    return proc


@pytest.fixture(scope="session")
def testdata():
    if not TESTDATA.is_dir():
        pytest.skip(f"test data not found at {TESTDATA} (set WEFT_TESTDATA)")
    return TESTDATA


_SHORT_RUN_OPTS = None


def short_run_opts(workdir, sample_args=("--version",)):
    """JVM options that make the many short `weft cat` runs of the tests cheaper: the C1 compiler
    only, and a class-data-sharing archive of the CLI's classes made by a first run (ignored
    by the JVM if it cannot be made or used)."""
    global _SHORT_RUN_OPTS
    if _SHORT_RUN_OPTS is None:
        opts = "-XX:TieredStopAtLevel=1"
        archive = Path(workdir) / "weft-cli.jsa"
        try:
            subprocess.run(weft_command() + [str(a) for a in sample_args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           timeout=120, cwd=ROOT,
                           env={**os.environ, "WEFT_JAVA_OPTS": f"{opts} -XX:ArchiveClassesAtExit={archive}"})
        except (OSError, subprocess.SubprocessError):
            pass
        if archive.is_file() and archive.stat().st_size > 0:
            opts += f" -XX:SharedArchiveFile={archive} -Xshare:auto"
        _SHORT_RUN_OPTS = opts
    return _SHORT_RUN_OPTS
