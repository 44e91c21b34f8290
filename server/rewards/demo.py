"""Demo rewards for `make run`: a shop with stock and prices, and two weeks of points by
hand for the demo people, so that the wallet, the leaderboards and the shop are not empty.

Idempotent: every transfer and restock has a fixed id, so running it twice adds nothing.
The moderator gets no spins (the browser tests spend theirs to see the wheel refuse).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from tortoise.transactions import in_transaction

from gamification import sql, store
from gamification.boards import Boards
from gamification.ledger import NO_ORG, POINTS, SPINS, Transfer, system_account, user_account
from server.models import Employee
from server.rewards import shop
from server.services import Services

log = logging.getLogger("plaza.demo")


@dataclass(frozen=True)
class Item:
    id: str
    title: dict[str, str]
    description: dict[str, str]
    price: int
    stock: int
    needs_approval: bool = False


ITEMS: Final = [
    Item(
        "coffee_voucher",
        {"en": "A coffee voucher", "ru": "Купон на кофе"},
        {
            "en": "Any drink at the café next to your store.",
            "ru": "Любой напиток в кафе рядом с вашим магазином.",
        },
        price=30,
        stock=50,
    ),
    Item(
        "plaza_tshirt",
        {"en": "A Plaza T-shirt", "ru": "Футболка Plaza"},
        {"en": "Cotton, with the logo.", "ru": "Хлопок, с логотипом."},
        price=120,
        stock=20,
    ),
    Item(
        "extra_day_off",
        {"en": "An extra day off", "ru": "Дополнительный выходной"},
        {
            "en": "Agreed with your director: comms approve the request.",
            "ru": "По согласованию с директором: запрос одобряют коммуникации.",
        },
        price=400,
        stock=3,
        needs_approval=True,
    ),
]

REASONS: Final = [
    "Best shelf display of the week",
    "Helped a colleague close the inventory",
    "A customer's thank-you letter",
    "Training the new team members",
    "Top of the mystery shopper check",
]

# The demo employee's own history: (days ago, points, reason).
EMPLOYEE_HISTORY: Final = [
    (0, 15, "A customer's thank-you letter"),
    (1, 20, "Best shelf display of the week"),
    (3, 10, "Training the new team members"),
    (5, 25, "Top of the mystery shopper check"),
    (8, 30, "Helped a colleague close the inventory"),
    (12, 10, "Best shelf display of the week"),
]


async def load_demo_shop(domain: str) -> None:
    """The shop's items and stock (before the demo contest, whose first prize is one)."""
    comms = await Employee.get_or_none(email=f"comms@{domain}")
    if comms is None:
        return
    for item in ITEMS:
        await shop.put_item(
            item.id,
            title=item.title,
            description=item.description,
            price=item.price,
            needs_approval=item.needs_approval,
            active=True,
            add_stock=item.stock,
            by=comms.id,
            key=f"demo-{item.id}-stock",
        )


async def load_demo_rewards(services: Services, domain: str) -> None:
    comms = await Employee.get_or_none(email=f"comms@{domain}")
    if comms is None:
        return
    people = await Employee.filter(email__endswith=f"@{domain}").order_by("id").only("id", "email")
    conn = sql.default()
    orgs = await store.people(conn, [p.id for p in people])
    now = datetime.now(UTC)
    rng = random.Random(11)  # the same history every time
    transfers = []

    def points(person: Employee, n: int, days: int, amount: int, reason: str) -> Transfer:
        at = now - timedelta(days=days, minutes=rng.randint(0, 240))
        found = orgs.get(str(person.id))
        return Transfer(
            id=f"demo:{person.id}:{n}",
            kind="grant",
            currency=POINTS,
            debit=system_account(POINTS, "grant"),
            credit=user_account(POINTS, person.id),
            amount=amount,
            at=at,
            user_id=person.id,
            actor_id=comms.id,
            reason=reason,
            org=found.org if found else NO_ORG,
        )

    for person in people:
        if person.email == f"employee@{domain}":
            for n, (days, amount, reason) in enumerate(EMPLOYEE_HISTORY):
                transfers.append(points(person, n, days, amount, reason))
            transfers.append(
                Transfer(
                    id=f"demo:{person.id}:spins",
                    kind="grant",
                    currency=SPINS,
                    debit=system_account(SPINS, "grant"),
                    credit=user_account(SPINS, person.id),
                    amount=2,
                    at=now,
                    user_id=person.id,
                    actor_id=comms.id,
                    reason="Welcome to the wheel of fortune",
                )
            )
            continue
        if person.email in (f"moderator@{domain}", f"admin@{domain}"):
            continue
        for n in range(rng.randint(0, 3)):
            transfers.append(
                points(
                    person, n, rng.randint(0, 13), rng.choice((5, 10, 15, 20)), rng.choice(REASONS)
                )
            )
    async with in_transaction() as tx:
        for transfer in transfers:
            await store.post_once(tx, transfer, now)
    # Straight onto the leaderboards: the history is older than any live update.
    boards = Boards(services.redis, services.keys, services.settings.zone)
    if await boards.rebuild() is None:
        log.warning("the leaderboards are being rebuilt elsewhere; the sweeper adds the demo's")
