"""The embedded server manager: sharing, clear errors when java or the build is missing."""

from __future__ import annotations

import pytest

import weft
from weft import _server


def test_shared_by_users_of_the_same_paths(weft_file):
    a = weft.start_server([str(weft_file)])
    b = weft.start_server([str(weft_file)])
    assert a == b


def test_missing_java_is_a_clear_error(weft_file, monkeypatch):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(weft.ServerStartError, match="'java' was not found"):
        weft.start_server([str(weft_file)], server_args=["--status-interval", "0", "--threads", "1"])


def test_missing_build_says_how_to_build(weft_file, monkeypatch, tmp_path):
    monkeypatch.delenv("WEFT_JAVA_CLASSPATH", raising=False)
    monkeypatch.setattr(_server, "repo_root", lambda: tmp_path)
    with pytest.raises(weft.ServerStartError, match="mvn -B -q -o install"):
        weft.start_server([str(weft_file)], server_args=["--status-interval", "0", "--threads", "1"])


def test_missing_dataset(tmp_path):
    with pytest.raises(FileNotFoundError):
        weft.start_server([str(tmp_path / "nope.weft")])


def test_other_builds_get_other_servers(monkeypatch, tmp_path):
    # two checkouts (or a benchmark against another build) never share a server of the other's code
    monkeypatch.delenv("WEFT_JAVA_CLASSPATH", raising=False)
    here = _server.server_key(["/d/x.weft"], ["--status-interval", "0"])
    assert here == _server.server_key(["/d/x.weft"], ["--status-interval", "0"])
    monkeypatch.setattr(_server, "repo_root", lambda: tmp_path)
    assert _server.server_key(["/d/x.weft"], ["--status-interval", "0"]) != here
    monkeypatch.setenv("WEFT_JAVA_CLASSPATH", "/some/other/classes")
    assert _server.server_key(["/d/x.weft"], ["--status-interval", "0"]) != here


def test_server_jvm_adds_the_vector_module_where_the_jdk_has_it(monkeypatch, tmp_path):
    """The server decodes images with the JDK's Vector API where the JDK's release file lists the
    module (as bin/weft serve does); WEFT_VECTOR=0 or a JDK without it: no flag (the JVM would refuse it)."""
    monkeypatch.delenv("WEFT_VECTOR", raising=False)
    jdk = tmp_path / "jdk"
    (jdk / "bin").mkdir(parents=True)
    java = jdk / "bin" / "java"
    java.write_text("")
    (jdk / "release").write_text('JAVA_VERSION="17.0.15"\nMODULES="java.base java.logging jdk.incubator.vector jdk.unsupported"\n')
    assert _server.vector_module_flags(str(java)) == ["--add-modules=jdk.incubator.vector"]
    monkeypatch.setenv("WEFT_VECTOR", "0")
    assert _server.vector_module_flags(str(java)) == []
    monkeypatch.delenv("WEFT_VECTOR")
    (jdk / "release").write_text('JAVA_VERSION="17.0.15"\nMODULES="java.base java.logging jdk.unsupported"\n')
    assert _server.vector_module_flags(str(java)) == []
    (jdk / "release").unlink()
    assert _server.vector_module_flags(str(java)) == []
    # this machine's JDK: a full JDK 17 has the module
    assert _server.vector_module_flags(_server.java_executable()) == ["--add-modules=jdk.incubator.vector"]


def test_server_jvm_memory_flags(monkeypatch):
    """The server's JVM is sized to its caches (as bin/weft serve does), with G1 returning memory."""
    monkeypatch.delenv("WEFT_SERVE_HEAP", raising=False)
    flags = _server.jvm_memory_flags(["--status-interval", "0"])
    assert flags[0] == f"-Xmx{1024 + 256 + 768}m"
    assert "-XX:+UseG1GC" in flags and "-XX:MaxDirectMemorySize=1g" in flags
    assert _server.jvm_memory_flags(["--decoded-cache", "64M", "--block-cache", "1g"])[0] == f"-Xmx{64 + 1024 + 768}m"
    assert _server.jvm_memory_flags(["--decoded-cache", "0"])[0] == f"-Xmx{256 + 768}m"
    assert _server.jvm_memory_flags(["--decoded-cache", "lots"])[0] == f"-Xmx{1024 + 256 + 768}m"  # ServeMain reports it
    monkeypatch.setenv("WEFT_SERVE_HEAP", "3g")
    assert _server.jvm_memory_flags([])[0] == "-Xmx3g"
    assert _server._size_mib("100") == 1 and _server._size_mib("64KiB") == 1 and _server._size_mib("2G") == 2048
