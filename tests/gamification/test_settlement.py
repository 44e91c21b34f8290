"""Settlement: events become awards exactly once, in one transaction each batch."""

from __future__ import annotations

from gamification import store
from gamification.ledger import POINTS, SPINS, user_account
from gamification.settlement import settle
from gamification.sql import default
from server.models import BadgeAward, LedgerTransfer
from server.settings import Settings
from tests.gamification.support import (
    SIMPLE_RULES,
    kudos,
    people,
    post_created,
    post_deleted,
    publish_rules,
    registry,
    unsettled,
)


async def balance(who: int, currency: str = POINTS) -> int:
    return await store.balance(default(), user_account(currency, who))


async def test_events_are_settled_once(db: Settings) -> None:
    await publish_rules(db, SIMPLE_RULES)
    live = await registry(db)
    a, b = await people(2)
    first = await post_created(a, "p1")
    await post_created(a, "p2")
    for n in range(3):
        await kudos(b, a, f"k{n}")
    outcome = await settle(live)
    assert outcome.events == 5
    assert await unsettled() == 0
    assert await balance(a.id) == 10 + 10 + 5 + 5  # the third kudos from b is over the limit
    assert await balance(a.id, SPINS) == 1
    assert [x.badge_id for x in await BadgeAward.filter(user_id=a.id)] == ["poster"]
    # A second delivery of the same events changes nothing.
    again = await settle(live, [first])
    assert again.events == 0
    assert await balance(a.id) == 30
    assert await store.verify(default()) == []


async def test_a_deleted_post_gives_back_its_points(db: Settings) -> None:
    await publish_rules(db, SIMPLE_RULES)
    live = await registry(db)
    (a,) = await people(1)
    await post_created(a, "p1")
    await post_created(a, "p2")
    await settle(live)
    await post_deleted(a, "p1")
    await post_deleted(a, "p1")  # a repeated deletion reverses nothing more
    await settle(live)
    assert await balance(a.id) == 10
    reversal = await LedgerTransfer.get(kind="reversal")
    assert reversal.amount == 10
    assert await store.verify(default()) == []


async def test_the_same_batch_creates_and_deletes(db: Settings) -> None:
    await publish_rules(db, SIMPLE_RULES)
    live = await registry(db)
    (a,) = await people(1)
    await post_created(a, "p1")
    await post_deleted(a, "p1")
    await settle(live)
    assert await balance(a.id) == 0
    assert await store.verify(default()) == []
