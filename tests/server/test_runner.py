"""`plaza up`, as `make run` uses it: a private Redis, the web server and a worker, all
stopped by one Ctrl-C; and started again on the same data."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import SECRET, free_port


def _env(var: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAZA_")}
    env.update({"PLAZA_VAR_DIR": str(var), "PLAZA_SECRET_KEY": SECRET, "PLAZA_LOG_FORMAT": "text"})
    return env


def _children(pid: int) -> set[int]:
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True, check=True)
    pairs = [tuple(map(int, line.split())) for line in out.stdout.splitlines() if line.strip()]
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in pairs if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return status != "Z"


def _run_once(var: Path, port: int) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "up", "--port", str(port)],
        env=_env(var),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        ready = None
        while time.monotonic() < deadline:
            try:
                ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
                if ready.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        assert ready is not None and ready.json() == {
            "status": "ok",
            "database": "ok",
            "redis": "ok",
        }
        children = _children(process.pid)
        assert len(children) >= 3  # redis-server, the web server, the worker
        assert (var / "redis" / "appendonlydir").exists()  # AOF on, data under var/
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, output
    assert "Plaza is running at" in output and "stopping" in output
    time.sleep(0.2)
    assert not [pid for pid in children if _alive(pid)]


def test_up_starts_everything_and_one_ctrl_c_stops_it_twice(tmp_path: Path) -> None:
    port = free_port()
    _run_once(tmp_path / "var", port)
    _run_once(tmp_path / "var", port)
