"""The reward shop: a catalogue priced in points, stock, and redemptions that reserve the
points (a hold account) until comms approve or reject them, when approval is needed.

Every step is transfers: redeeming moves the price to the person's hold account and a
unit of stock to the item's reserved account; approval moves them on to the shop and to
the person, rejection moves them back. Nothing is ever edited in place.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gamification import sql, store
from gamification.ledger import (
    POINTS,
    Transfer,
    hold_account,
    item_currency,
    stock_account,
    system_account,
    user_account,
)
from gamification.store import InsufficientFunds
from server import audit
from server.errors import ApiError, not_found
from server.models import ContestPrize, Redemption, ShopItem
from server.rewards.service import Posted, key_id


async def put_item(
    item_id: str,
    *,
    title: dict[str, str],
    description: dict[str, Any],
    price: int,
    needs_approval: bool,
    active: bool,
    add_stock: int,
    by: int,
    key: str,
) -> dict[str, Any]:
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        item = await ShopItem.get_or_none(id=item_id, using_db=conn)
        changes: dict[str, Any] = {}
        if item is None:
            action = "shop.item.create"
            item = await ShopItem.create(
                id=item_id,
                title=title,
                description=description,
                price=price,
                needs_approval=needs_approval,
                active=active,
                using_db=conn,
            )
            changes = {
                "title": title,
                "price": price,
                "needs_approval": needs_approval,
                "active": active,
            }
        else:
            new = {
                "title": title,
                "description": description,
                "price": price,
                "needs_approval": needs_approval,
                "active": active,
            }
            changes = {k: [getattr(item, k), v] for k, v in new.items() if getattr(item, k) != v}
            action = "shop.item.update"
            if "active" in changes:
                action = "shop.item.restore" if active else "shop.item.retire"
            item.title, item.description, item.price = title, description, price
            item.needs_approval, item.active = needs_approval, active
            await item.save(using_db=conn)
        added = 0
        if add_stock:
            currency = item_currency(item_id)
            if await store.post_once(
                conn,
                Transfer(
                    id=key_id("restock", item_id, by, key)[:64],
                    kind="restock",
                    currency=currency,
                    debit=system_account(currency, "supply"),
                    credit=stock_account(currency),
                    amount=add_stock,
                    at=now,
                    actor_id=by,
                    reason="restocked",
                ),
                now,
            ):
                added = add_stock
        if changes:
            detail = {"changes": changes, **({"add_stock": added} if added else {})}
            await audit.record(by, action, f"shop_item:{item_id}", detail)
        elif added:
            await audit.record(by, "shop.stock.add", f"shop_item:{item_id}", {"add_stock": added})
    return (await catalogue(include_inactive=True, only=item_id))[0]


async def catalogue(
    *, include_inactive: bool = False, only: str | None = None
) -> list[dict[str, Any]]:
    query = ShopItem.all() if include_inactive else ShopItem.filter(active=True)
    if only is not None:
        query = query.filter(id=only)
    items = await query.order_by("price", "id")
    stock = await store.balances(sql.default(), [stock_account(item_currency(i.id)) for i in items])
    return [
        {
            "id": i.id,
            "title": i.title,
            "description": i.description,
            "price": i.price,
            "needs_approval": i.needs_approval,
            "active": i.active,
            "stock": stock[stock_account(item_currency(i.id))],
        }
        for i in items
    ]


def _out(r: Redemption) -> dict[str, Any]:
    return {
        "id": r.id,
        "user_id": r.user_id,
        "item_id": r.item_id,
        "price": r.price,
        "status": r.status,
        "created_at": r.created_at.isoformat(),
        "decided_at": r.decided_at.isoformat() if r.decided_at else None,
        "decided_by_id": r.decided_by_id,
        "note": r.note,
        "prize": None,
    }


def _moves(
    rid: str, user_id: int, item_id: str, price: int, step: str, now: datetime
) -> list[Transfer]:
    """The transfers of one step of a redemption: reserve, complete or release."""
    currency = item_currency(item_id)
    mine, held = user_account(POINTS, user_id), hold_account(user_id)
    stock, reserved = stock_account(currency), system_account(currency, "reserved")
    shop, owned = system_account(POINTS, "shop"), user_account(currency, user_id)
    points_to = {"reserve": (mine, held), "complete": (held, shop), "release": (held, mine)}[step]
    item_to = {"reserve": (stock, reserved), "complete": (reserved, owned),
               "release": (reserved, stock)}[step]  # fmt: skip
    return [
        Transfer(
            id=f"redeem:{rid}:{step}:points"[:64],
            kind=f"shop_{step}",
            currency=POINTS,
            debit=points_to[0],
            credit=points_to[1],
            amount=price,
            at=now,
            user_id=user_id,
            reason=f"{step} {item_id}",
        ),
        Transfer(
            id=f"redeem:{rid}:{step}:item"[:64],
            kind=f"shop_{step}",
            currency=currency,
            debit=item_to[0],
            credit=item_to[1],
            amount=1,
            at=now,
            user_id=user_id,
            reason=f"{step} {item_id}",
        ),
    ]


async def redeem(user_id: int, item_id: str, key: str) -> tuple[dict[str, Any], Posted]:
    """Reserve the price and a unit; complete at once unless the item needs approval. The
    same key twice is one redemption."""
    rid = key_id("redeem", user_id, key).split(":", 1)[1][:32]
    existing = await Redemption.get_or_none(id=rid)
    if existing is not None:
        return _out(existing), Posted((), None, None, False)
    item = await ShopItem.get_or_none(id=item_id, active=True)
    if item is None:
        raise not_found()
    now = datetime.now(UTC)
    status = "pending" if item.needs_approval else "completed"
    transfers = _moves(rid, user_id, item_id, item.price, "reserve", now)
    if not item.needs_approval:
        transfers += _moves(rid, user_id, item_id, item.price, "complete", now)
    try:
        async with in_transaction() as conn:
            await Redemption.create(
                id=rid,
                user_id=user_id,
                item_id=item_id,
                price=item.price,
                status=status,
                created_at=now,
                decided_at=None if item.needs_approval else now,
                using_db=conn,
            )
            batch = await store.post(
                conn, transfers, now, check_funds=[user_account(POINTS, user_id)]
            )
    except InsufficientFunds as exc:
        code = "not_enough_points" if exc.account.startswith(POINTS) else "out_of_stock"
        raise ApiError(409, code) from None
    except IntegrityError:
        return _out(await Redemption.get(id=rid)), Posted((), None, None, False)
    return _out(await Redemption.get(id=rid)), Posted(tuple(transfers), batch, now, True)


async def decide(rid: str, approve: bool, by: int, note: str) -> tuple[dict[str, Any], Posted]:
    """Approve (the points go to the shop, the item to the person) or reject (both go
    back). A redemption is decided once; a second decision is refused."""
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        changed = await sql.execute(
            conn,
            "UPDATE redemption SET status = ?, decided_at = ?, decided_by_id = ?, note = ? "
            "WHERE id = ? AND status = 'pending'",
            ["completed" if approve else "rejected", now, by, note, rid],
        )
        if not changed:
            if not await Redemption.exists(id=rid):
                raise not_found()
            raise ApiError(409, "already_decided")
        row = await Redemption.get(id=rid, using_db=conn)
        transfers = _moves(
            rid, row.user_id, row.item_id, row.price, "complete" if approve else "release", now
        )
        batch = await store.post(conn, transfers, now)
        await audit.record(
            by,
            "redemption.approve" if approve else "redemption.reject",
            f"redemption:{rid}",
            {"user_id": row.user_id, "item_id": row.item_id, "price": row.price, "note": note},
        )
    return _out(await Redemption.get(id=rid)), Posted(tuple(transfers), batch, now, True)


async def redemptions(
    user_id: int | None, status: str | None, locale: str = "en"
) -> list[dict[str, Any]]:
    """Newest first. A contest's prize (price 0, the id of its prize row) says which
    contest gave it: "1st of 17 stores in the December contest"."""
    query = Redemption.all()
    if user_id is not None:
        query = query.filter(user_id=user_id)
    if status is not None:
        query = query.filter(status=status)
    rows = [_out(r) for r in await query.order_by("-created_at").limit(200)]
    given = [r["id"] for r in rows if r["price"] == 0]
    if given:
        texts = dict(await ContestPrize.filter(id__in=given).values_list("id", "texts"))
        for r in rows:
            found = texts.get(r["id"])
            if found:
                r["prize"] = found.get(locale) or found.get("en") or next(iter(found.values()))
    return rows
