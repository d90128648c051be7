"""The embedded loader server: one local ``ServeMain`` per set of dataset paths, shared by every
process of the host that uses those paths (DataLoader workers, ranks, notebooks).

How it works (simple on purpose):

* The key is a SHA-256 of the absolute dataset paths (in order), the server arguments and the
  build (``$WEFT_JAVA_CLASSPATH`` or this source tree: checkouts never share a server). Under
  ``<tmpdir>/weft-servers-<uid>/`` each key has a lock file ``KEY.lock`` (``fcntl.flock``) and a
  state file ``KEY.json`` (socket path, supervisor pid, java pid, users).
* :func:`acquire` (under the lock) adds the calling pid to the users, starting a server first if
  none is alive. Starting means spawning a small **supervisor** process
  (``python -m weft._server``, its own session, so Ctrl-C of the training job does not hit it)
  that runs java, writes the state once the server printed its socket path, and then, every
  0.5 s, drops users whose pid is gone. When no user is left (or the JVM died) it stops the JVM
  with SIGTERM (which deletes the ring and the socket), removes files a killed JVM left behind,
  deletes the state and exits. So the server stops when the last user exits, however it exits
  (normal exit, exception, SIGKILL); :func:`release` (also registered with ``atexit``) only makes
  that faster.

The server's jars: ``$WEFT_JAVA_CLASSPATH`` if set, else ``loader-server/target/classes`` plus the
class path listed in ``loader-server/target/weft-classpath.txt``, found relative to this source
tree (``python-shim/../loader-server``). Missing pieces give a :class:`ServerStartError` that says
how to build them.
"""

from __future__ import annotations

import atexit
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence

__all__ = ["acquire", "acquire_flight", "acquire_ipc", "release", "ServerStartError", "java_classpath", "DEFAULT_SERVER_ARGS"]

MAIN_CLASS = "dev.weft.loader.ServeMain"
DEFAULT_SERVER_ARGS: List[str] = ["--status-interval", "0"]
START_TIMEOUT_S = float(os.environ.get("WEFT_SERVER_START_TIMEOUT", "120"))
_POLL_S = 0.5

_BUILD_HINT = (
    "build the loader server first:\n"
    "  cd {root} && mvn -B -q -o install -DskipTests -pl loader-server -am\n"
    "  mvn -B -q -o -pl loader-server dependency:build-classpath -Dmdep.outputFile=target/weft-classpath.txt\n"
    "or set WEFT_JAVA_CLASSPATH to a class path that contains dev.weft.loader.ServeMain and its dependencies"
)


class ServerStartError(RuntimeError):
    """The embedded loader server could not be started (no java, no jars, or it failed)."""


def repo_root() -> Path:
    # src/weft/_server.py -> python-shim/src/weft -> repository root is three levels above src/
    return Path(__file__).resolve().parents[3]


def java_classpath() -> str:
    """The class path to run ServeMain with (see the module docstring)."""
    env = os.environ.get("WEFT_JAVA_CLASSPATH")
    if env:
        return env
    root = repo_root()
    classes = root / "loader-server" / "target" / "classes"
    cp_file = root / "loader-server" / "target" / "weft-classpath.txt"
    if not (classes / "dev" / "weft" / "loader" / "ServeMain.class").is_file():
        raise ServerStartError(f"the weft loader server is not built ({classes} has no ServeMain); "
                               + _BUILD_HINT.format(root=root))
    if not cp_file.is_file():
        _write_classpath_file(root, cp_file)
    return f"{classes}{os.pathsep}{cp_file.read_text().strip()}"


def _write_classpath_file(root: Path, cp_file: Path) -> None:
    """Asks Maven (offline) for the loader server's dependency class path, once."""
    mvn = shutil.which("mvn")
    err = "'mvn' is not on PATH"
    if mvn:
        r = subprocess.run([mvn, "-B", "-q", "-o", "-pl", "loader-server", "dependency:build-classpath",
                            "-Dmdep.outputFile=target/weft-classpath.txt"],
                           cwd=root, capture_output=True, text=True, timeout=300)
        if r.returncode == 0 and cp_file.is_file():
            return
        err = (r.stdout + r.stderr).strip()[-2000:]
    raise ServerStartError(f"cannot compute the loader server's class path ({cp_file} is missing; {err}); "
                           + _BUILD_HINT.format(root=root))


def java_executable() -> str:
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    if not found:
        raise ServerStartError(
            "'java' was not found on PATH (and JAVA_HOME is not set): the weft loader server needs a JDK 17+ "
            "(e.g. apt-get install openjdk-17-jdk-headless), or pass server='/path/to/socket' of a running server"
        )
    return found


def vector_module_flags(java: str) -> List[str]:
    """``--add-modules=jdk.incubator.vector`` when this JDK has the module (its ``release`` file lists
    it): the server's scan decoders of images then use the JDK's Vector API (about 2x faster once
    compiled; format-spec's VectorDecoding). ``WEFT_VECTOR=0`` leaves it out."""
    if os.environ.get("WEFT_VECTOR") == "0":
        return []
    release = Path(os.path.realpath(java)).parent.parent / "release"
    try:
        for line in release.read_text(errors="replace").splitlines():
            if line.startswith("MODULES=") and "jdk.incubator.vector" in line.split("=", 1)[1].strip('"').split():
                return ["--add-modules=jdk.incubator.vector"]
    except OSError:
        pass
    return []


def state_dir() -> Path:
    d = Path(os.environ.get("WEFT_STATE_DIR") or Path(tempfile.gettempdir()) / f"weft-servers-{os.getuid()}")
    d.mkdir(mode=0o700, parents=True, exist_ok=True)
    return d


def server_key(paths: Sequence[str], server_args: Sequence[str]) -> str:
    """The shared server's key: the dataset paths, the server arguments and which build runs it
    (``$WEFT_JAVA_CLASSPATH``, else this source tree), so that two checkouts of the project on one
    host (or a benchmark against another build) never share a server of the other's code."""
    h = hashlib.sha256()
    for p in paths:
        h.update(os.path.abspath(p).encode() + b"\0")
    h.update(b"\1" + "\0".join(server_args).encode())
    h.update(b"\2" + (os.environ.get("WEFT_JAVA_CLASSPATH") or str(repo_root())).encode())
    return h.hexdigest()[:24]


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie child counts as dead
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


@contextmanager
def _locked(key: str) -> Iterator[Path]:
    d = state_dir()
    fd = os.open(d / f"{key}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield d / f"{key}.json"
    finally:
        os.close(fd)  # releases the lock


def _read(path: Path) -> Optional[Dict]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _write(path: Path, state: Dict) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, path)


_acquired: Dict[str, str] = {}  # key -> socket, of this process

_PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


def check_not_parquet(path: str) -> None:
    """Raises ``ValueError`` saying how to convert, when ``path`` is a Parquet file or a directory
    with Parquet files and no Weft files (the server would only call it a corrupt Weft file)."""
    def is_parquet(f: str) -> bool:
        try:
            with open(f, "rb") as fh:
                return fh.read(4) == b"PAR1"
        except OSError:
            return False

    hint = "convert it first: weft.convert(SRC, DST) or bin/weft convert SRC -o DST"
    if os.path.isfile(path) and is_parquet(path):
        raise ValueError(f"{path} is a Parquet file, not a Weft file ({hint.replace('SRC', repr(path), 1)})")
    if os.path.isdir(path):
        has_parquet = False
        for _root, _dirs, files in os.walk(path):
            if any(f.endswith(".weft") for f in files):
                return
            has_parquet = has_parquet or any(f.lower().endswith(_PARQUET_SUFFIXES) for f in files)
        if has_parquet:
            raise ValueError(f"{path} holds Parquet files and no .weft files ({hint})")


# JVM and logging noise that would bury the server's own error line
_NOISE = ("WARNING: Using incubator modules", "SLF4J(W):", "SLF4J:")


def _start_error_text(err: str) -> str:
    lines = [l for l in err.strip().splitlines() if l.strip() and not l.startswith(_NOISE)]
    return "\n".join(lines)


def acquire(paths: Sequence[str], server_args: Optional[Sequence[str]] = None) -> str:
    """Registers this process as a user of the shared server for ``paths`` (starting it if needed)
    and returns its socket path."""
    paths = [os.path.abspath(os.fspath(p)) for p in paths]
    for p in paths:
        if not os.path.exists(p):
            raise FileNotFoundError(f"weft dataset path does not exist: {p}")
        check_not_parquet(p)
    args = list(DEFAULT_SERVER_ARGS if server_args is None else server_args)
    key = server_key(paths, args)
    pid = os.getpid()
    with _locked(key) as state_path:
        state = _read(state_path)
        if state and pid_alive(state["supervisor"]) and pid_alive(state["java"]) and os.path.exists(state["socket"]):
            if pid not in state["users"]:
                state["users"].append(pid)
                _write(state_path, state)
            sock = state["socket"]
        else:
            sock = _start(key, state_path, paths, args, pid)
    if key not in _acquired:
        atexit.register(release, key)
    _acquired[key] = sock
    return sock


def _acquire_socket(paths: Sequence[str], server_args: Optional[Sequence[str]], which: str) -> str:
    """The shared server for ``paths`` with both socket transports on free loopback ports
    (``--port 0 --ipc-port 0``); returns the location of ``which`` ("flight" or "ipc")."""
    args = list(DEFAULT_SERVER_ARGS if server_args is None else server_args)
    if "--port" not in args:
        args += ["--port", "0"]
    if "--ipc-port" not in args:
        args += ["--ipc-port", "0"]
    acquire(paths, args)
    key = server_key([os.path.abspath(os.fspath(p)) for p in paths], args)
    with _locked(key) as state_path:
        state = _read(state_path) or {}
    if not state.get(which):
        raise ServerStartError(f"the weft loader server did not print its {which} location (its build may predate "
                               "that socket transport: rebuild loader-server)")
    return str(state[which])


def acquire_flight(paths: Sequence[str], server_args: Optional[Sequence[str]] = None) -> str:
    """Like :func:`acquire` for the Flight transport: the shared server for ``paths`` started with
    ``--port 0 --ipc-port 0`` (127.0.0.1, free ports); returns its ``grpc+tcp://`` location."""
    return _acquire_socket(paths, server_args, "flight")


def acquire_ipc(paths: Sequence[str], server_args: Optional[Sequence[str]] = None) -> str:
    """Like :func:`acquire_flight` for the Arrow IPC socket transport (the same server); returns its
    ``ipc+tcp://`` location."""
    return _acquire_socket(paths, server_args, "ipc")


def _size_mib(v: str) -> Optional[int]:
    """``512M``, ``1g``, ``4096``, ``64KiB`` -> MiB (rounded up), as ServeMain parses sizes; None if bad."""
    s = v.strip().upper()
    s = s[:-2] if s.endswith("IB") else s[:-1] if s.endswith("B") else s
    mult = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(s[-1:], 1)
    if mult != 1:
        s = s[:-1]
    return -(-int(s) * mult // (1 << 20)) if s.strip().isdigit() else None


def jvm_memory_flags(args: Sequence[str]) -> List[str]:
    """JVM options that bound the server's memory (as ``bin/weft serve``): a heap sized to its two
    caches (``--decoded-cache``, default 1 GiB; ``--block-cache``, default 256 MiB) + 768 MiB of room
    (``$WEFT_SERVE_HEAP``, e.g. ``4g``, overrides), G1 giving unused heap back, capped direct memory."""
    sizes = {"--decoded-cache": 1024, "--block-cache": 256}
    for opt, val in zip(args, list(args[1:]) + [""]):
        if opt in sizes and _size_mib(val) is not None:
            sizes[opt] = _size_mib(val)
    heap = os.environ.get("WEFT_SERVE_HEAP") or f"{sizes['--decoded-cache'] + sizes['--block-cache'] + 768}m"
    return [f"-Xmx{heap}", "-XX:+UseG1GC", "-XX:G1PeriodicGCInterval=30000", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=30", "-XX:MaxDirectMemorySize=1g", "-Djdk.nio.maxCachedBufferSize=1048576"]


def release(key: str) -> None:
    """Unregisters this process; the supervisor stops the server when no user is left."""
    _acquired.pop(key, None)
    try:
        with _locked(key) as state_path:
            state = _read(state_path)
            if state and os.getpid() in state["users"]:
                state["users"].remove(os.getpid())
                _write(state_path, state)
    except OSError:
        pass


def _start(key: str, state_path: Path, paths: List[str], args: List[str], user: int) -> str:
    java = java_executable()
    cp = java_classpath()
    d = state_path.parent
    for suffix in (".out", ".err", ".json"):
        try:
            (d / f"{key}{suffix}").unlink()
        except FileNotFoundError:
            pass
    cmd = [java, "--add-opens=java.base/java.nio=ALL-UNNAMED", *vector_module_flags(java), *jvm_memory_flags(args),
           "-cp", cp, MAIN_CLASS, *paths, *args]
    spec = {"key": key, "cmd": cmd, "user": user, "dir": str(d)}
    with open(d / f"{key}.sup.err", "wb") as sup_err:
        sup = subprocess.Popen(
            [sys.executable, "-c", "import sys, json, weft._server as s; sys.exit(s._supervise(json.loads(sys.argv[1])))",
             json.dumps(spec)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=sup_err,
            start_new_session=True, close_fds=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parents[1])]
                                                          + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))},
        )
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        state = _read(state_path)
        if state and state.get("socket"):
            return state["socket"]
        if sup.poll() is not None:
            break
        time.sleep(0.05)
    if sup.poll() is None:
        sup.kill()
    sup.wait()
    err = ""
    for name in (f"{key}.err", f"{key}.sup.err"):
        try:
            err += (d / name).read_text(errors="replace")[-4000:]
        except OSError:
            pass
    raise ServerStartError(f"the weft loader server did not start ({' '.join(cmd[:1] + cmd[cmd.index(MAIN_CLASS):])}):"
                           f"\n{_start_error_text(err)}")


# ------------------------------------------------------------------ supervisor (a separate process)
def _die_with_parent() -> None:
    """In the JVM's child before exec: SIGTERM it if the supervisor dies (Linux prctl)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass


def _supervise(spec: Dict) -> int:
    key, d = spec["key"], Path(spec["dir"])
    out_path, err_path, state_path = d / f"{key}.out", d / f"{key}.err", d / f"{key}.json"
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        java = subprocess.Popen(spec["cmd"], stdin=subprocess.DEVNULL, stdout=out, stderr=err, close_fds=True,
                                preexec_fn=_die_with_parent)
    stop = {"now": False}

    def _on_signal(signum: int, frame: object) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    sock = None
    flight = None
    ipc = None
    # line 1: the Unix socket path; with --port, then the Flight location; with --ipc-port, then the
    # Arrow IPC location (PROTOCOL.md section 14)
    lines_wanted = 1 + ("--port" in spec["cmd"]) + ("--ipc-port" in spec["cmd"])
    deadline = time.monotonic() + START_TIMEOUT_S
    while sock is None:
        lines = out_path.read_text(errors="replace").split("\n")
        if len(lines) > lines_wanted:
            sock = lines[0].strip()
            for line in lines[1:lines_wanted]:
                if line.strip().startswith("grpc"):
                    flight = line.strip()
                elif line.strip().startswith("ipc+tcp://"):
                    ipc = line.strip()
        elif java.poll() is not None or time.monotonic() > deadline or stop["now"]:
            if java.poll() is None:
                java.kill()
            return 1
        else:
            time.sleep(0.05)
    # the starting process holds the lock until it sees this state
    _write(state_path, {"socket": sock, "flight": flight, "ipc": ipc, "supervisor": os.getpid(), "java": java.pid,
                        "users": [spec["user"]]})
    try:
        while not stop["now"] and java.poll() is None:
            time.sleep(_POLL_S)
            with _locked(key):
                state = _read(state_path) or {"users": []}
                users = [u for u in state.get("users", []) if pid_alive(u)]
                if not users:
                    state_path.unlink(missing_ok=True)  # new users start a new server from now on
                    break
                if users != state.get("users"):
                    state["users"] = users
                    _write(state_path, state)
    finally:
        with _locked(key):
            st = _read(state_path)
            if st and st.get("supervisor") == os.getpid():
                state_path.unlink(missing_ok=True)
        if java.poll() is None:
            java.terminate()
            try:
                java.wait(30)
            except subprocess.TimeoutExpired:
                java.kill()
                java.wait()
        # a JVM killed with SIGKILL leaves its socket and ring behind
        base = os.path.basename(sock)[: -len(".sock")] if sock.endswith(".sock") else None
        for leftover in [sock] + ([f"/dev/shm/{base}.ring"] if base else []):
            try:
                os.unlink(leftover)
            except OSError:
                pass
        for suffix in (".out", ".err", ".sup.err"):
            try:
                (d / f"{key}{suffix}").unlink()
            except OSError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(_supervise(json.loads(sys.argv[1])))
