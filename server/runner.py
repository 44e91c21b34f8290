"""Running the processes: the web server, and `plaza up` (private Redis + web + worker)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import click
import redis
import uvicorn

from realtime.direct import WS_PROTOCOL
from server.settings import Settings


def serve_web(settings: Settings, host: str, port: int, workers: int = 1) -> None:
    uvicorn.run(
        "server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # uvicorn's sans-I/O websockets implementation (it halves memory per idle socket
        # compared with the legacy one: 72 KB against 143 KB on this kind of machine),
        # registering each connection for the broadcast's direct writes (realtime/direct.py).
        ws=WS_PROTOCOL,
        # Per-message deflate keeps a zlib state per socket: without it an idle socket
        # costs 46 KB instead of 84 KB, and a broadcast of 300-byte messages (which gain
        # nothing from compression) runs 1.8x faster (bench/fanout, 1,000 clients).
        ws_per_message_deflate=False,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("PLAZA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="warning",
        access_log=False,
    )


def redis_command(settings: Settings) -> list[str]:
    folder = settings.redis_socket.parent
    return [
        "redis-server",
        "--port",
        "0",
        "--unixsocket",
        str(settings.redis_socket),
        "--unixsocketperm",
        "700",
        "--dir",
        str(folder),
        "--appendonly",
        "yes",
        "--appendfsync",
        "everysec",
        "--save",
        "",
        "--daemonize",
        "no",
        "--loglevel",
        "warning",
    ]


def start_private_redis(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Start Redis on a unix socket under var/ unless PLAZA_REDIS_URL points elsewhere, or
    one of ours is already running there."""
    if settings.redis_url != f"unix://{settings.redis_socket}":
        return None
    client = redis.Redis(unix_socket_path=str(settings.redis_socket))
    try:
        client.ping()
        return None  # already running (another `plaza up`, or a test)
    except redis.exceptions.ConnectionError:
        pass
    if shutil.which("redis-server") is None:
        raise click.ClickException(
            "redis-server is not installed: install the Debian package redis-server "
            "(apt-get install redis-server) or set PLAZA_REDIS_URL"
        )
    settings.redis_socket.parent.mkdir(parents=True, exist_ok=True)
    settings.redis_socket.unlink(missing_ok=True)
    # Its own session: Ctrl-C reaches `plaza up`, which stops Redis last, after its clients.
    log = (settings.redis_socket.parent / "redis.log").open("ab")
    process = subprocess.Popen(  # noqa: S603 - fixed argv
        redis_command(settings), start_new_session=True, stdout=log, stderr=log
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            client.ping()
            return process
        except redis.exceptions.ConnectionError:
            if process.poll() is not None:
                raise click.ClickException("redis-server exited at start") from None
            time.sleep(0.05)
    process.terminate()
    raise click.ClickException("redis-server did not answer within 10 s")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop the processes one after another, the last started first: the web server and
    the worker finish their requests and jobs while Redis (started first) still answers."""
    for process in reversed(processes):
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_all(settings: Settings, host: str, port: int) -> int:
    import asyncio

    from server.db import apply_migrations

    processes: list[subprocess.Popen[bytes]] = []
    redis_process = start_private_redis(settings)
    if redis_process is not None:
        processes.append(redis_process)
    stopping = False

    def on_signal(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        asyncio.run(apply_migrations(settings))
        python = sys.executable
        env = {**os.environ, "PLAZA_REDIS_URL": settings.redis_url}
        labels: dict[int, str] = {}
        for args in (["serve", "--host", host, "--port", str(port)], ["worker"]):
            process = subprocess.Popen(  # noqa: S603 - our own CLI
                [python, "-m", "server.cli", *args], env=env, start_new_session=True
            )
            processes.append(process)
            labels[process.pid] = f"plaza {args[0]}"
        click.echo(f"\nPlaza is running at http://{host}:{port}/  (Ctrl-C stops everything)")
        _print_logins(settings)
        while not stopping:
            for process in processes:
                if process.poll() is not None:
                    name = labels.get(process.pid, "redis-server")
                    click.echo(f"{name} exited with {process.returncode}; stopping", err=True)
                    return 1
            time.sleep(0.2)
        return 0
    finally:
        click.echo("stopping...")
        _stop(processes)


def _print_logins(settings: Settings) -> None:
    from server.demo import DEMO_PASSWORD, DEMO_PEOPLE

    click.echo(f"Demo logins (password {DEMO_PASSWORD}):")
    for person in DEMO_PEOPLE[:5]:
        click.echo(f"  {person['role']:<10} {person['email']}")


@contextlib.contextmanager
def private_redis(settings: Settings) -> Iterator[None]:
    """For one-off commands (`plaza demo`, `plaza users ...`): the private Redis, started
    for the command and stopped after it, unless it is already running."""
    process = start_private_redis(settings)
    try:
        yield
    finally:
        if process is not None:
            _stop([process])
