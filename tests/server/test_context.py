"""The request context sits below the HTTP layer: the modules that fill it in import it
without importing `server.api` (which imports them)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module", ["server.context", "server.auth.sessions", "server.auth.throttle", "server.api"]
)
def test_imports_alone_without_the_http_layer_below_it(module: str) -> None:
    probe = (
        f"import sys, {module}; "
        "print(sorted(m for m in ('server.api', 'server.openapi') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    loaded = result.stdout.strip()
    assert loaded == ("['server.api']" if module == "server.api" else "[]")


def test_the_http_layer_hands_out_the_same_context() -> None:
    from server import api, context

    assert api.Ctx is context.Ctx
