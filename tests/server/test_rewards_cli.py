"""`plaza ledger verify`, `plaza leaderboards check|rebuild` and `plaza wheel ...` as an
operator runs them: real processes on the test's database and Redis."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from gamification.ledger import POINTS, user_account
from server.models import LedgerAccount
from server.rewards import service
from server.settings import Settings
from tests.helpers import make_employee

ROOT = Path(__file__).resolve().parents[2]


def plaza(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PLAZA_VAR_DIR": str(settings.var_dir),
        "PLAZA_DATABASE_URL": settings.database_url,
        "PLAZA_REDIS_URL": settings.redis_url,
        "PLAZA_REDIS_PREFIX": settings.redis_prefix,
        "PLAZA_SECRET_KEY": settings.secret_key,
        "PLAZA_LOG_FORMAT": "text",
    }
    return subprocess.run(
        [sys.executable, "-m", "server.cli", *args],
        env=env, cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


async def test_ledger_verify_and_leaderboards_from_the_command_line(db: Settings) -> None:
    ann = await make_employee("ann@example.com", password=False)
    await service.grant(POINTS, ann.id, 7, ann.id + 1, "test", "cli-grant")
    done = plaza(db, "ledger", "verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ledger is sound" in done.stdout
    assert plaza(db, "leaderboards", "check").returncode == 1  # never built
    rebuilt = plaza(db, "leaderboards", "rebuild")
    assert rebuilt.returncode == 0 and "rebuilt" in rebuilt.stdout
    checked = plaza(db, "leaderboards", "check")
    assert checked.returncode == 0, checked.stdout
    # Someone edits a balance behind the ledger's back.
    await LedgerAccount.filter(id=user_account(POINTS, ann.id)).update(balance=70)
    broken = plaza(db, "ledger", "verify")
    assert broken.returncode == 1
    assert f"account points:user:{ann.id}: balance 70, but its transfers sum to 7" in broken.stdout
    assert "currency points: accounts sum to 63, not 0" in broken.stdout


def test_wheel_check_reports_positions(tmp_path: Path) -> None:
    path = tmp_path / "wheel.yaml"
    path.write_text("version: 1\nsegments:\n  - {id: a, weight: 2, spins: 0}\n")
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "wheel", "check", str(path)],
        env={**os.environ, "PLAZA_VAR_DIR": str(tmp_path)}, cwd=ROOT, capture_output=True,
        text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert f"{path}:3:31: segments.0.spins: should be greater than or equal to 1" in done.stdout
