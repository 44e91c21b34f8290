"""The close of a contest, exactly once: a worker process killed (os._exit, as kill -9)
half-way through the prizes, then the close run again: every prize is there exactly once,
the ledger balances, one announcement post; a third run changes nothing. The first two
places also win a shop item of which one unit is in stock: the first takes it, the second's
is owed (the stock never goes below zero)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

from gamification import sql, store
from gamification.ledger import (
    POINTS,
    SPINS,
    item_currency,
    stock_account,
    system_account,
    user_account,
)
from server.activity import new_event_id
from server.contests.close import close_due
from server.models import (
    Channel,
    ContestClose,
    ContestPrize,
    LedgerTransfer,
    Notification,
    Post,
    Redemption,
    Role,
)
from server.rewards import shop
from server.services import Services
from server.settings import Settings
from tests.gamification.support import people, publish_rules
from tests.helpers import make_employee

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 250  # two chunks of prizes (200 a transaction)


def rules(starts: datetime, ends: datetime) -> str:
    fmt = "%Y-%m-%dT%H:%M:%S+00:00"
    return f"""\
version: 1
badges:
  champion: {{title: {{en: Champion, ru: Чемпион}}}}
rules: []
contests:
  - id: posts
    title: {{en: December posts, ru: Посты декабря}}
    starts: "{starts.strftime(fmt)}"
    ends: "{ends.strftime(fmt)}"
    grace: 1h
    score: {{count: post.created}}
    winners: {{top: 3}}
    prizes:
      - {{place: 1, award: {{points: 500, badge: champion, item: mug}}}}
      - {{place: 2, award: {{points: 300, spins: 1, item: mug}}}}
      - {{place: 3, award: {{points: 100}}}}
      - {{over: 1, award: {{spins: 1}}}}
"""


KILLER = """
import asyncio, os
from server.contests.close import close_due
from server.db import open_database
from server.services import Services
from server.settings import Settings

async def main():
    settings = Settings()
    await open_database(settings)
    services = await Services.start(settings)
    async def fault(point):
        if point == "chunk":
            os._exit(9)  # as kill -9: no cleanup, no commit of anything in flight
    await close_due(services, fault=fault)

asyncio.run(main())
"""


async def test_a_close_killed_half_way_gives_every_prize_exactly_once(db: Settings) -> None:
    now = datetime.now(UTC)
    starts, ends = now - timedelta(days=10), now - timedelta(days=2)
    comms = await make_employee("comms@example.com", role=Role.COMMS)
    await shop.put_item("mug", title={"en": "A mug", "ru": "Кружка"}, description={}, price=50,
                        needs_approval=False, active=True, add_stock=1, by=comms.id, key="m")  # fmt: skip
    await publish_rules(db, rules(starts, ends))
    await Channel.create(name="News", mandatory=True)
    crowd = await people(PEOPLE)
    # Person i posts i % 7 + 1 times; three of them more, so the top 3 is clear.
    rows = []
    for i, person in enumerate(crowd):
        count = i % 7 + 1 + {0: 30, 1: 20, 2: 10}.get(i, 0)
        for k in range(count):
            at = starts + timedelta(hours=1 + k)
            rows.append(
                (
                    new_event_id(at),
                    "post.created",
                    person.id,
                    None,
                    at,
                    orjson.dumps(
                        {
                            "post_id": f"p{i}-{k}",
                            "body_length": 9,
                            "has_image": False,
                            "kind": "post",
                        }
                    ).decode(),
                    at + timedelta(seconds=5),
                )
            )
    # A late event settled after final_at does not count, however early it happened.
    at = starts + timedelta(hours=1)
    rows.append((new_event_id(at), "post.created", crowd[5].id, None, at,
                 orjson.dumps({"post_id": "late", "body_length": 9, "has_image": False,
                               "kind": "post"}).decode(), ends + timedelta(hours=2)))  # fmt: skip
    await sql.execute_many(
        sql.default(),
        "INSERT INTO activity_event (id, type, actor_id, subject_id, at, data, settled_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    env = {
        **os.environ,
        "PLAZA_VAR_DIR": str(db.var_dir),
        "PLAZA_DATABASE_URL": db.database_url,
        "PLAZA_REDIS_URL": db.redis_url,
        "PLAZA_REDIS_PREFIX": db.redis_prefix,
        "PLAZA_SECRET_KEY": db.secret_key,
        "PLAZA_TIMEZONE": db.timezone,
    }
    killed = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", KILLER],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert killed.returncode == 9, killed.stderr.decode()[-3000:]
    half = await ContestClose.get(contest_id="posts")
    assert half.state == "settling" and half.prizes == PEOPLE + 3
    assert 0 < await ContestPrize.filter(contest_id="posts").count() < PEOPLE + 3

    services = await Services.start(db)
    try:
        closing = f"{db.redis_prefix}:contest:posts:closing"
        assert await close_due(services) == []  # the dead worker's lease still holds it
        await services.redis.delete(closing)  # ... until it expires (in 30 s)
        assert await close_due(services) == ["posts"]
        assert await close_due(services) == []  # settled: nothing more
    finally:
        await services.close()

    done = await ContestClose.get(contest_id="posts")
    assert done.state == "settled" and done.settled == PEOPLE + 3
    assert done.participant_count == PEOPLE
    assert [w["participant"]["id"] for w in done.winners] == [str(p.id) for p in crowd[:3]]
    assert await ContestPrize.filter(contest_id="posts").count() == PEOPLE + 3
    transfers = await LedgerTransfer.filter(kind="contest")
    assert (
        len(transfers) == len({t.id for t in transfers}) == 3 + 1 + PEOPLE + 2
    )  # points x3, spin, spins, mugs
    balances = await store.balances(
        sql.default(),
        [user_account(c, p.id) for p in crowd[:4] for c in (POINTS, SPINS)],
    )
    assert [balances[user_account(POINTS, p.id)] for p in crowd[:4]] == [500, 300, 100, 0]
    assert [balances[user_account(SPINS, p.id)] for p in crowd[:4]] == [1, 2, 1, 1]
    mug = item_currency("mug")
    mugs = await store.balances(
        sql.default(),
        [stock_account(mug), system_account(mug, "contest")]
        + [user_account(mug, p.id) for p in crowd[:3]],
    )
    assert list(mugs.values()) == [0, -1, 1, 1, 0]  # one from stock, one owed
    given = await Redemption.filter(item_id="mug").order_by("user_id")
    assert [(r.user_id, r.price, r.status) for r in given] == [
        (crowd[0].id, 0, "completed"), (crowd[1].id, 0, "completed")]  # fmt: skip
    # Each prize told once, although the close ran twice after its death.
    told = await Notification.filter(kind="contest.prize")
    assert len(told) == PEOPLE + 3
    first = sorted(
        ((n.payload["points"], n.payload["spins"], n.payload["item"], n.payload["text"]["en"])
         for n in told if n.employee_id == crowd[0].id),
        key=str,
    )  # fmt: skip
    place = "1st of 250 participants in the contest “December posts”"
    assert first == [(0, 1, None, place), (500, 0, "mug", place)]
    mine = await shop.redemptions(crowd[1].id, None, "ru")
    assert mine[0]["prize"] == "2-е место из 250 участников в конкурсе «Посты декабря»"
    assert await store.verify(sql.default()) == []
    posts = await Post.filter(id=done.announcement_post_id)
    assert len(posts) == 1 and "December posts" in posts[0].body
    assert await Post.filter(channel_id__isnull=False).count() == 1
    prize = await ContestPrize.get(user_id=crowd[0].id, prize=0)
    assert prize.texts["en"] == "1st of 250 participants in the contest “December posts”"
    assert prize.texts["ru"] == "1-е место из 250 участников в конкурсе «Посты декабря»"
