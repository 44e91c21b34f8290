"""`plaza demo` runs a store contest (per head, top 3, prizes) whose standings come from
the demo's own activity; loading the demo twice publishes it once."""

from __future__ import annotations

from datetime import UTC, datetime

from server.contests import service
from server.contests.demo import CONTEST_ID
from server.demo import load_demo
from server.models import RulesetPublication
from server.services import Services
from server.settings import Settings
from tests.helpers import run_jobs


async def test_the_demo_has_a_running_store_contest_with_standings(db: Settings) -> None:
    services = await Services.start(db)
    try:
        await load_demo(services)
        await load_demo(services)
        assert await RulesetPublication.all().count() == 1
        db.__dict__["settle_sweep_seconds"] = 0.0
        await run_jobs(db)
        known = await service.find(db.timezone, CONTEST_ID)
        assert known is not None
        spec = known.spec
        assert spec.status(datetime.now(UTC)) == "running"
        assert (spec.participants, spec.per_head, spec.mode, spec.top) == ("store", True, "top", 3)
        assert len(spec.prizes) == 4
        computed = await service.compute(spec, known.ruleset)
        assert len(computed.rows) >= 3, computed.rows
        assert all(r.heads and r.score == round(r.raw_score / r.heads, 6) for r in computed.rows)
        assert sum(r.winner for r in computed.rows) == 3
    finally:
        await services.close()
