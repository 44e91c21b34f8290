"""Demo history for the analytics: two months of app visits by the demo company, so the
dashboard of a fresh `make run` shows weeks and months, not one day. Only visits are made
up (they earn nothing); posts, comments and reactions are the demo community's real ones."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta

from server.analytics import store
from server.models import Employee, Visit
from server.settings import Settings

DAYS = 60


async def load_demo_visits(settings: Settings) -> int:
    zone = settings.zone
    today = datetime.now(UTC).astimezone(zone).date()
    rng = random.Random(13)  # the same history every time
    people = await Employee.all().order_by("id").values_list("id", flat=True)
    # Some people use Plaza daily, some weekly, some rarely; more so as the weeks go on.
    habit = {who: rng.choice([0.85, 0.7, 0.5, 0.25, 0.1]) for who in people}
    rows = []
    for back in range(DAYS, 0, -1):
        day = today - timedelta(days=back)
        weekend = day.weekday() >= 5
        growth = 0.75 + 0.25 * (DAYS - back) / DAYS
        for who in people:
            if rng.random() > habit[who] * growth * (0.35 if weekend else 1):
                continue
            for n in range(rng.choice([1, 1, 1, 2, 3])):
                start = datetime.combine(day, time(8 + rng.randrange(11), rng.randrange(60)), zone)
                length = timedelta(minutes=rng.randint(2, 25))
                rows.append(
                    Visit(
                        id=f"demo-{day.isoformat()}-{who}-{n}",
                        employee_id=who,
                        started_at=start.astimezone(UTC),
                        last_seen_at=(start + length).astimezone(UTC),
                        phone=rng.random() < 0.55,
                    )
                )
    existing = {
        str(i) for i in await Visit.filter(id__startswith="demo-").values_list("id", flat=True)
    }
    await Visit.bulk_create([v for v in rows if v.id not in existing], batch_size=500)
    return await store.rebuild(today - timedelta(days=DAYS), zone, today)
