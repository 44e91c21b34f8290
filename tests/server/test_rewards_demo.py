"""The demo's rewards: a shop with stock, a history behind the demo employee's wallet, the
boards filled from it, nothing twice on a second load, and no spins for the moderator."""

from __future__ import annotations

from datetime import UTC, datetime

from gamification import sql, store
from gamification.boards import Boards
from gamification.leaderboard import current_boards
from gamification.ledger import POINTS, SPINS, user_account
from server.demo import DEMO_DOMAIN, load_demo
from server.models import Employee
from server.rewards import shop
from server.rewards.demo import EMPLOYEE_HISTORY
from server.services import Services
from server.settings import Settings


async def test_demo_rewards_fill_the_wallet_boards_and_shop_once(db: Settings) -> None:
    services = await Services.start(db)
    try:
        await load_demo(services)
        await load_demo(services)
        conn = sql.default()
        items = {i["id"]: i for i in await shop.catalogue()}
        assert {k: (v["price"], v["stock"]) for k, v in items.items()} == {
            "coffee_voucher": (30, 50),
            "plaza_tshirt": (120, 20),
            "extra_day_off": (400, 3),
        }
        employee = await Employee.get(email=f"employee@{DEMO_DOMAIN}")
        moderator = await Employee.get(email=f"moderator@{DEMO_DOMAIN}")
        earned = sum(amount for _, amount, _ in EMPLOYEE_HISTORY)
        assert await store.balance(conn, user_account(POINTS, employee.id)) == earned
        assert await store.balance(conn, user_account(SPINS, employee.id)) == 2
        assert await store.balance(conn, user_account(SPINS, moderator.id)) == 0
        boards = Boards(services.redis, services.keys, db.zone)
        everyone = current_boards("user", datetime.now(UTC), db.zone)["all"]
        standing = await boards.read(everyone, me=str(employee.id))
        assert standing.me is not None and standing.me.points == earned
        stores = await boards.read(current_boards("store", datetime.now(UTC), db.zone)["all"])
        assert len(stores.top) >= 3  # people of several stores earned
        assert await boards.check() == []
        assert await store.verify(conn) == []
    finally:
        await services.close()
