"""`python -m bench.fanout [--quick]`: Plaza's Socket.IO fan-out against the reference
Node.js Socket.IO 4 server, measured in one run with the same Node `socket.io-client` swarm.

For each server and each number of websocket clients: deliveries per second of a burst of
300-byte broadcasts to one room, the time until the last client has one broadcast (median
of 5), and the server's resident memory per idle connection (RSS after connecting minus
RSS before, divided by the clients). Plaza runs as one process, and as two processes
sharing the room through Redis (the swarm split between them, the broadcast published on
one). Quote the ratios: absolute figures drift with the machine's load.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

NODE_DIR = Path(__file__).parent / "node"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start") from None
            time.sleep(0.1)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    folder = Path(tempfile.mkdtemp(prefix="plaza-bench-redis-"))
    sock = folder / "redis.sock"
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            "0",
            "--unixsocket",
            str(sock),
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        yield f"unix://{sock}"
    finally:
        process.terminate()
        process.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Server:
    name: str
    processes: list[subprocess.Popen[bytes]]
    urls: list[str]
    trigger: str

    def rss(self) -> int:
        return sum(rss_bytes(p.pid) for p in self.processes)

    def stop(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()


def start_node() -> Server:
    port = free_port()
    process = subprocess.Popen(
        ["node", str(NODE_DIR / "server.js"), str(port)], stdout=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    wait_http(url + "/")
    return Server("node socket.io 4", [process], [url], url + "/go")


def start_plaza(redis_url: str, processes: int) -> Server:
    prefix = f"bench{os.getpid()}x{time.monotonic_ns()}"
    started, urls = [], []
    for _ in range(processes):
        port = free_port()
        started.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "bench.fanout.plaza_server",
                    "--port",
                    str(port),
                    "--redis",
                    redis_url,
                    "--prefix",
                    prefix,
                ],
                cwd=ROOT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    for url in urls:
        wait_http(url + "/go?count=0&size=0&tag=x")
    name = "plaza" if processes == 1 else f"plaza x{processes} processes"
    return Server(name, started, urls, urls[0] + "/go")


def run_swarm(server: Server, clients: int, messages: int, size: int) -> dict[str, float]:
    before = server.rss()
    swarm = subprocess.Popen(
        [
            "node",
            str(NODE_DIR / "swarm.js"),
            ",".join(server.urls),
            str(clients),
            str(messages),
            str(size),
            server.trigger,
            "bench",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert swarm.stdin is not None and swarm.stdout is not None
    try:
        line = swarm.stdout.readline()
        if not line:
            raise RuntimeError(f"the swarm failed against {server.name}")
        time.sleep(1.0)  # let the connections settle before reading memory
        after = server.rss()
        swarm.stdin.write("go\n")
        swarm.stdin.flush()
        result_line = swarm.stdout.readline()
        if not result_line:
            raise RuntimeError(f"the swarm failed against {server.name}")
        result: dict[str, float] = json.loads(result_line)
        result["kb_per_connection"] = (after - before) / clients / 1024
        return result
    finally:
        with contextlib.suppress(Exception):
            swarm.stdin.close()
        swarm.wait(60)


def ensure_node() -> bool:
    if shutil.which("node") is None or shutil.which("npm") is None:
        print("node and npm are needed for the swarm: apt-get install nodejs npm")
        return False
    if not (NODE_DIR / "node_modules").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NODE_DIR, check=True
        )
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200 clients, seconds not minutes")
    parser.add_argument("--clients", default="1000,5000")
    parser.add_argument("--size", type=int, default=300)
    args = parser.parse_args()
    if not ensure_node():
        return 1
    counts = [200] if args.quick else [int(c) for c in args.clients.split(",")]
    rows: list[tuple[str, dict[str, float]]] = []
    with redis_server() as redis_url:
        for clients in counts:
            # Enough messages for a burst of about 100k-200k deliveries (a few thousand
            # in --quick): long enough to measure, short enough for a shared machine.
            messages = (
                20 if args.quick else max(40, 100_000 // clients * (2 if clients > 1000 else 1))
            )
            starters = [
                start_node,
                lambda: start_plaza(redis_url, 1),
                lambda: start_plaza(redis_url, 2),
            ]
            for start in starters:
                server = start()
                try:
                    result = run_swarm(server, clients, messages, args.size)
                finally:
                    server.stop()
                rows.append((server.name, result))
                print_row(server.name, result, flush=True)
    print_summary(rows)
    return 0


def print_row(name: str, r: dict[str, float], flush: bool = False) -> None:
    print(
        f"{name:<26} {int(r['clients']):>6} clients  "
        f"{r['deliveries_per_s']:>10,.0f} deliveries/s  "
        f"broadcast to all {r['broadcast_latency_s'] * 1000:>7.1f} ms "
        f"(max {r['broadcast_latency_max_s'] * 1000:.1f})  "
        f"{r['kb_per_connection']:>6.1f} KB/idle connection",
        flush=flush,
    )


def print_summary(rows: list[tuple[str, dict[str, float]]]) -> None:
    print("\nratios against node socket.io 4 (same swarm, same run):")
    reference = {int(r["clients"]): r for name, r in rows if name.startswith("node")}
    for name, r in rows:
        if name.startswith("node"):
            continue
        ref = reference[int(r["clients"])]
        print(
            f"  {name:<26} {int(r['clients']):>6} clients  "
            f"deliveries/s x{r['deliveries_per_s'] / ref['deliveries_per_s']:.2f}  "
            f"broadcast time x{r['broadcast_latency_s'] / ref['broadcast_latency_s']:.2f}  "
            f"memory/connection x{r['kb_per_connection'] / max(ref['kb_per_connection'], 0.1):.2f}"
        )
    print(
        "targets: >= 0.5x node deliveries/s; one broadcast to 5,000 clients < 1 s; "
        "<= 50 KB per idle connection"
    )


if __name__ == "__main__":
    raise SystemExit(main())
