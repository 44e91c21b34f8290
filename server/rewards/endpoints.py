"""/api: wallets, leaderboards, the wheel, the shop, badges, allowances and the abuse report.

Each endpoint parses, calls one service function, and after a commit hands the change to
`notify.after_commit` (leaderboards, live events).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from gamification import live
from server.api import Api, Ctx
from server.errors import ApiError
from server.models import Role, WheelVersion
from server.notifications.service import notify
from server.rewards import admin, service, shop, wheel
from server.rewards.notify import after_commit
from server.schemas import Strict

api = Api()
COMMS = [Role.COMMS, Role.ADMIN]
MANAGERS = [Role.MANAGER, Role.COMMS, Role.ADMIN]
Key = Field(min_length=8, max_length=100, pattern=r"^[A-Za-z0-9_.:-]+$")
Slug = Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")


class Level(BaseModel):
    number: int
    name: str
    floor: int
    next_at: int | None
    progress: float


class Wallet(BaseModel):
    points: int
    spins: int
    held: int
    lifetime_points: int
    level: Level


class HistoryQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    # The `created_at` of the last transfer of the previous page; parsed here, so a
    # malformed cursor is a 422 that names it.
    before: datetime | None = None


class Source(BaseModel):
    type: str  # the activity event's type: post.created, reaction.added, ...
    at: str
    post_id: int | None
    calendar_event_id: int | None


class Change(BaseModel):
    id: str
    kind: str
    currency: str
    amount: int
    at: str
    created_at: str
    rule_id: str | None
    title: dict[str, str]
    because: str
    event_id: str | None
    reverses: str | None
    ruleset: int | None  # the number of the ruleset version whose rule gave it
    source: Source | None  # what earned it


class History(BaseModel):
    transfers: list[Change]


@api.route("GET", "/api/me/wallet", summary="My points, spins, level", tags=["rewards"],
           response=Wallet)  # fmt: skip
async def my_wallet(ctx: Ctx) -> dict[str, Any]:
    return await service.wallet(ctx.me.id, ctx.services.settings.levels)


@api.route("GET", "/api/me/transfers", summary="Why I got what I got, newest first",
           tags=["rewards"], query=HistoryQuery, response=History)  # fmt: skip
async def my_history(ctx: Ctx, query: HistoryQuery) -> dict[str, Any]:
    return {"transfers": await service.history(ctx.me.id, query.limit, query.before)}


# -- leaderboards --------------------------------------------------------------------------------


class BoardQuery(Strict):
    limit: int = Field(default=100, ge=1, le=100)
    per_head: bool = False


class Place(BaseModel):
    id: str
    rank: int
    points: int
    name: str | None = None
    per_head: float | None = None
    employees: int | None = None


class BoardOut(BaseModel):
    scope: str
    period: str
    label: str
    size: int
    top: list[Place]
    me: Place | None
    my_store: Place | None
    per_head: bool = False


class BoardPath(Strict):
    scope: Literal["user", "store", "city", "region", "department"]
    period: Literal["day", "week", "month", "quarter", "all"]


@api.route("GET", "/api/leaderboards/{scope}/{period}",
           summary="Top of a board, my rank and my store's rank, in one call",
           tags=["rewards"], path_params=BoardPath, query=BoardQuery,
           response=BoardOut)  # fmt: skip
async def board(ctx: Ctx, path: BoardPath, query: BoardQuery) -> dict[str, Any]:
    return await service.leaderboard(
        ctx.services, path.scope, path.period, ctx.me, limit=query.limit, per_head=query.per_head
    )


class PlaceSeries(BaseModel):
    scope: str
    id: str
    name: str
    points: list[int]


class ProgressOut(BaseModel):
    scope: str
    period: str
    label: str
    days: list[str]  # local days in the company's time zone, from the period's first to today
    me: list[int]  # points I had earned by the end of each day
    place: PlaceSeries | None  # my store's (city's, region's, department's) the same way


@api.route("GET", "/api/leaderboards/{scope}/{period}/progress",
           summary="My points and my store's, day by day over the current period",
           tags=["rewards"], path_params=BoardPath, response=ProgressOut)  # fmt: skip
async def board_progress(ctx: Ctx, path: BoardPath) -> dict[str, Any]:
    return await service.progress(ctx.services, path.scope, path.period, ctx.me)


class StoreBoardQuery(Strict):
    period: Literal["day", "week", "month", "quarter", "all"] = "week"
    limit: int = Field(default=5, ge=1, le=50)


class MyStore(BaseModel):
    id: str
    name: str
    rank: int | None  # None: no points this period yet
    points: int
    size: int  # stores on the board


class StoreBoardOut(BaseModel):
    period: str
    label: str
    store: MyStore | None  # None when I belong to no store
    people: list[Place]  # the store's best people this period


@api.route("GET", "/api/me/store-board",
           summary="My store's rank among stores and its best people (a director's home)",
           tags=["rewards"], query=StoreBoardQuery, response=StoreBoardOut)  # fmt: skip
async def my_store_board(ctx: Ctx, query: StoreBoardQuery) -> dict[str, Any]:
    return await service.store_board(ctx.services, query.period, ctx.me, limit=query.limit)


# -- badges and experts ---------------------------------------------------------------------


class BadgeBody(Strict):
    kind: Literal["merit", "expertise"] = "merit"
    title: dict[str, str] = Field(min_length=1)
    tier: Literal["bronze", "silver", "gold", "platinum"] | None = None
    topic: str | None = Field(default=None, max_length=64, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    reason: str = Field(default="", max_length=500)
    idempotency_key: str = Key


class BadgeOut(BaseModel):
    id: str
    badge: str
    kind: str
    tier: str | None
    title: dict[str, str]
    topic: str | None
    rule_id: str | None
    given_by_id: int | None
    reason: str
    created_at: str


class Badges(BaseModel):
    badges: list[BadgeOut]


@api.route("GET", "/api/employees/{id:int}/badges", summary="A person's badges",
           tags=["rewards"], response=Badges)  # fmt: skip
async def employee_badges(ctx: Ctx) -> dict[str, Any]:
    return {"badges": await service.badges_of(ctx.path_int("id"))}


@api.route("POST", "/api/employees/{id:int}/badges", summary="Give a badge by hand",
           tags=["rewards"], body=BadgeBody, response=BadgeOut, status=201,
           roles=MANAGERS)  # fmt: skip
async def give_badge(ctx: Ctx, body: BadgeBody) -> dict[str, Any]:
    if body.kind == "expertise" and not body.topic:
        raise ApiError(422, "validation_failed", field="topic", reason="an expertise needs a topic")
    badge = await service.award_badge(
        by=ctx.me.id,
        user_id=ctx.path_int("id"),
        kind=body.kind,
        title=body.title,
        tier=body.tier,
        topic=body.topic,
        reason=body.reason,
        key=body.idempotency_key,
    )
    payload = {k: badge[k] for k in ("badge", "kind", "tier", "title", "topic", "reason")}
    await notify(
        ctx.services,
        [ctx.path_int("id")],
        "badge.awarded",
        {**payload, "by": ctx.me.id},
        badge["id"],
    )  # once per badge row, whatever the retries
    return badge


class ExpertsQuery(Strict):
    topic: str = Field(min_length=1, max_length=64)


class Expert(BaseModel):
    id: int
    name: str
    position: str


class Experts(BaseModel):
    topic: str
    experts: list[Expert]


@api.route("GET", "/api/experts", summary="People with an expertise badge in a topic",
           tags=["rewards"], query=ExpertsQuery, response=Experts)  # fmt: skip
async def find_experts(ctx: Ctx, query: ExpertsQuery) -> dict[str, Any]:
    return {"topic": query.topic, "experts": await service.experts(query.topic)}


# -- grants and allowances --------------------------------------------------------------------


class GrantBody(Strict):
    user_id: int
    currency: Literal["points", "spins"]
    amount: int = Field(ge=1, le=100_000)
    reason: str = Field(min_length=1, max_length=500)
    idempotency_key: str = Key


class Posted(BaseModel):
    transfer_id: str
    new: bool


@api.route("POST", "/api/admin/grants", summary="Give points or spins by hand",
           tags=["rewards"], body=GrantBody, response=Posted, status=201,
           roles=COMMS)  # fmt: skip
async def grant(ctx: Ctx, body: GrantBody) -> dict[str, Any]:
    posted = await service.grant(
        body.currency, body.user_id, body.amount, ctx.me.id, body.reason, body.idempotency_key
    )
    if posted.new:
        await after_commit(ctx.services, posted.transfers, batch=posted.batch, made=posted.made)
        payload = {
            "currency": body.currency,
            "amount": body.amount,
            "reason": body.reason,
            "by": ctx.me.id,
        }
        await notify(
            ctx.services, [body.user_id], "reward.granted", payload, posted.transfers[0].id
        )
    return {"transfer_id": posted.transfers[0].id, "new": posted.new}


class GiftBody(Strict):
    recipient_id: int
    points: int = Field(ge=1, le=10_000)
    message: str = Field(min_length=1, max_length=500)
    idempotency_key: str = Key


@api.route("POST", "/api/gifts", summary="Thank someone with points from my allowance",
           tags=["rewards"], body=GiftBody, response=Posted, status=201,
           roles=MANAGERS)  # fmt: skip
async def gift(ctx: Ctx, body: GiftBody) -> dict[str, Any]:
    settings = ctx.services.settings
    posted = await service.give(
        ctx.me.id,
        body.recipient_id,
        body.points,
        body.message,
        body.idempotency_key,
        monthly=await admin.manager_monthly(ctx.me.id, settings.manager_monthly_allowance),
        zone=settings.zone,
    )
    if posted.new:
        await after_commit(ctx.services, posted.transfers, batch=posted.batch, made=posted.made)
        payload = {"points": body.points, "message": body.message, "by": ctx.me.id}
        await notify(
            ctx.services, [body.recipient_id], "reward.gift", payload, posted.transfers[0].id
        )
    return {"transfer_id": posted.transfers[0].id, "new": posted.new}


class AllowanceOut(BaseModel):
    month: str
    monthly: int
    left: int


@api.route("GET", "/api/me/allowance", summary="What is left of my monthly allowance",
           tags=["rewards"], response=AllowanceOut, roles=MANAGERS)  # fmt: skip
async def my_allowance(ctx: Ctx) -> dict[str, Any]:
    settings = ctx.services.settings
    monthly = await admin.manager_monthly(ctx.me.id, settings.manager_monthly_allowance)
    return await service.allowance(ctx.me.id, monthly, settings.zone)


# -- the wheel -------------------------------------------------------------------------------


class SpinBody(Strict):
    idempotency_key: str = Key


class SpinOut(BaseModel):
    id: str
    segment: str
    outcome: str
    prize: str | None
    amount: int
    wish: dict[str, str] | None
    fallback: bool
    period: str


class Segment(BaseModel):
    id: str
    title: dict[str, str]
    weight: int


class WheelOut(BaseModel):
    version: str
    period: str  # how often the seed changes: day, week, month
    segments: list[Segment]  # in the wheel's order: a spin's `segment` is one of these ids
    total_weight: int


class SpinRecord(SpinOut):
    created_at: str


class Spins(BaseModel):
    spins: list[SpinRecord]


class Seed(BaseModel):
    period: str
    seed_hash: str
    starts_at: str
    ends_at: str
    seed: str | None  # revealed once the period is over


class Seeds(BaseModel):
    seeds: list[Seed]


@api.route("GET", "/api/wheel", summary="The live wheel: segments, weights, this period",
           tags=["wheel"], response=WheelOut)  # fmt: skip
async def get_wheel(ctx: Ctx) -> dict[str, Any]:
    live_wheel = await wheel.live_wheel()
    return {
        "version": live_wheel.version,
        "period": live_wheel.period,
        "segments": [
            {"id": s.id, "title": s.title or {}, "weight": s.weight} for s in live_wheel.segments
        ],
        "total_weight": sum(live_wheel.weights),
    }


@api.route("POST", "/api/wheel/spins", summary="Spin once (the same key: the same result)",
           tags=["wheel"], body=SpinBody, response=SpinOut)  # fmt: skip
async def spin(ctx: Ctx, body: SpinBody) -> dict[str, Any]:
    result, new = await wheel.spin(ctx.me.id, body.idempotency_key, ctx.services.settings.zone)
    if new:
        await after_commit(
            ctx.services,
            result.transfers,
            batch=result.batch,
            made=result.made,
            events=[("wheel.result", result.as_dict(), live.user_room(ctx.me.id))],
        )
    return result.as_dict()


@api.route("GET", "/api/wheel/spins", summary="My spins", tags=["wheel"], response=Spins)
async def my_spins(ctx: Ctx) -> dict[str, Any]:
    return {"spins": await wheel.history(ctx.me.id)}


@api.route("GET", "/api/wheel/seeds",
           summary="Seed hashes published in advance; seeds revealed after their period",
           tags=["wheel"], response=Seeds)  # fmt: skip
async def wheel_seeds(ctx: Ctx) -> dict[str, Any]:
    await wheel.ensure_seeds_ahead(ctx.services.settings.zone)
    return {"seeds": await wheel.seeds()}


class WheelText(Strict):
    text: str = Field(max_length=256 * 1024)
    message: str = Field(default="", max_length=500)


class WheelPublished(BaseModel):
    version: str
    action: str  # publish, or rollback when this text was published before


@api.route("PUT", "/api/admin/wheel", summary="Check and publish a wheel (YAML) with a message",
           tags=["wheel"], body=WheelText, response=WheelPublished, roles=COMMS)  # fmt: skip
async def publish_wheel(ctx: Ctx, body: WheelText) -> dict[str, Any]:
    from server.rewards.wheel_admin import record_publication  # it imports this module

    checked = wheel.compile_or_422(body.text)
    before = await wheel.live_version_row()
    existed = await WheelVersion.exists(version=checked.version)
    was_live = before is not None and before.version == checked.version
    published = await wheel.publish_wheel(body.text)
    action = await record_publication(
        ctx.me.id, published.version, existed and not was_live, body.message
    )
    return {"version": published.version, "action": action}


class PrizeOut(BaseModel):
    id: str
    title: dict[str, str]
    stock: int


class Prizes(BaseModel):
    prizes: list[PrizeOut]


@api.route("GET", "/api/admin/prizes", summary="The live wheel's prizes and their stock",
           tags=["wheel"], response=Prizes, roles=COMMS)  # fmt: skip
async def list_prizes(ctx: Ctx) -> dict[str, Any]:
    return {"prizes": await admin.prizes()}


class StockBody(Strict):
    amount: int = Field(ge=1, le=1_000_000)
    idempotency_key: str = Key


@api.route("POST", "/api/admin/prizes/{id}/stock", summary="Add prize stock",
           tags=["wheel"], body=StockBody, roles=COMMS)  # fmt: skip
async def restock_prize(ctx: Ctx, body: StockBody) -> dict[str, Any]:
    prize = ctx.request.path_params["id"]
    stock = await wheel.restock(prize, body.amount, body.idempotency_key, ctx.me.id)
    return {"prize": prize, "stock": stock}


# -- the shop ---------------------------------------------------------------------------------


class ItemBody(Strict):
    title: dict[str, str] = Field(min_length=1)
    description: dict[str, str] = Field(default_factory=dict)
    price: int = Field(ge=1, le=10_000_000)
    needs_approval: bool = False
    active: bool = True
    add_stock: int = Field(default=0, ge=0, le=1_000_000)
    idempotency_key: str = Key


class Item(BaseModel):
    id: str
    title: dict[str, str]
    description: dict[str, str]
    price: int
    needs_approval: bool
    active: bool
    stock: int


class Items(BaseModel):
    items: list[Item]


class RedemptionOut(BaseModel):
    id: str
    user_id: int
    item_id: str
    price: int
    status: str  # pending, completed, rejected
    created_at: str
    decided_at: str | None
    decided_by_id: int | None
    note: str
    prize: str | None = None  # a contest's prize: what it was for, in the reader's language


class Redemptions(BaseModel):
    redemptions: list[RedemptionOut]


@api.route("GET", "/api/shop/items", summary="The catalogue", tags=["shop"], response=Items)
async def items(ctx: Ctx) -> dict[str, Any]:
    return {"items": await shop.catalogue()}


@api.route("GET", "/api/admin/shop/items", summary="The whole catalogue, retired items too",
           tags=["shop"], response=Items, roles=COMMS)  # fmt: skip
async def all_items(ctx: Ctx) -> dict[str, Any]:
    return {"items": await shop.catalogue(include_inactive=True)}


class ItemPath(Strict):
    id: str = Slug


@api.route("PUT", "/api/admin/shop/items/{id}", summary="Create or change an item, add stock",
           tags=["shop"], path_params=ItemPath, body=ItemBody, response=Item,
           roles=COMMS)  # fmt: skip
async def put_item(ctx: Ctx, path: ItemPath, body: ItemBody) -> dict[str, Any]:
    return await shop.put_item(
        path.id,
        title=body.title,
        description=body.description,
        price=body.price,
        needs_approval=body.needs_approval,
        active=body.active,
        add_stock=body.add_stock,
        by=ctx.me.id,
        key=body.idempotency_key,
    )


class RedeemBody(Strict):
    item_id: str = Slug
    idempotency_key: str = Key


@api.route("POST", "/api/shop/redemptions", summary="Redeem points for an item",
           tags=["shop"], body=RedeemBody, response=RedemptionOut, status=201)  # fmt: skip
async def redeem(ctx: Ctx, body: RedeemBody) -> dict[str, Any]:
    out, posted = await shop.redeem(ctx.me.id, body.item_id, body.idempotency_key)
    if posted.new:
        await after_commit(ctx.services, posted.transfers, batch=posted.batch, made=posted.made)
    return out


@api.route("GET", "/api/me/redemptions", summary="My redemptions", tags=["shop"],
           response=Redemptions)  # fmt: skip
async def my_redemptions(ctx: Ctx) -> dict[str, Any]:
    return {"redemptions": await shop.redemptions(ctx.me.id, None, ctx.locale)}


class RedemptionsQuery(Strict):
    status: Literal["pending", "completed", "rejected"] | None = "pending"


@api.route("GET", "/api/admin/redemptions", summary="Redemptions to decide", tags=["shop"],
           query=RedemptionsQuery, response=Redemptions, roles=COMMS)  # fmt: skip
async def all_redemptions(ctx: Ctx, query: RedemptionsQuery) -> dict[str, Any]:
    return {"redemptions": await shop.redemptions(None, query.status, ctx.locale)}


class DecisionBody(Strict):
    approve: bool
    note: str = Field(default="", max_length=500)


@api.route("POST", "/api/admin/redemptions/{id}/decision", summary="Approve or reject",
           tags=["shop"], body=DecisionBody, response=RedemptionOut, roles=COMMS)  # fmt: skip
async def decide(ctx: Ctx, body: DecisionBody) -> dict[str, Any]:
    out, posted = await shop.decide(
        ctx.request.path_params["id"], body.approve, ctx.me.id, body.note
    )
    await after_commit(ctx.services, posted.transfers, batch=posted.batch, made=posted.made)
    payload = {
        "redemption_id": out["id"],
        "item_id": out["item_id"],
        "status": out["status"],
        "note": out["note"],
        "by": ctx.me.id,
    }
    await notify(ctx.services, [out["user_id"]], "redemption.decided", payload, str(out["id"]))
    return out


# -- allowances and the reward audit trail -----------------------------------------------------


class ManagerAllowance(BaseModel):
    id: int
    name: str
    position: str
    monthly: int
    own: bool  # set for this manager, not every manager's
    left: int  # what is left this month


class AllowancesOut(BaseModel):
    month: str
    manager_monthly: int  # every manager's gift allowance, points a month
    manager_default: int  # the server's setting, when the workspace has not set one
    kudos_monthly: int  # kudos one person may give a month; 0: no limit
    managers: list[ManagerAllowance]


class AllowancesBody(Strict):
    manager_monthly: int | None = Field(default=None, ge=0, le=1_000_000)
    kudos_monthly: int | None = Field(default=None, ge=0, le=10_000)


@api.route("GET", "/api/admin/allowances",
           summary="Managers' gift allowances and the kudos allowance, per month",
           tags=["rewards"], response=AllowancesOut, roles=COMMS)  # fmt: skip
async def get_allowances(ctx: Ctx) -> dict[str, Any]:
    settings = ctx.services.settings
    return await admin.allowances(settings.manager_monthly_allowance, settings.zone)


@api.route("PUT", "/api/admin/allowances",
           summary="Set every manager's gift allowance and/or the kudos allowance",
           tags=["rewards"], body=AllowancesBody, response=AllowancesOut,
           roles=COMMS)  # fmt: skip
async def put_allowances(ctx: Ctx, body: AllowancesBody) -> dict[str, Any]:
    if body.manager_monthly is not None:
        await admin.set_allowance(admin.MANAGER, body.manager_monthly, ctx.me.id)
    if body.kudos_monthly is not None:
        await admin.set_allowance(admin.KUDOS, body.kudos_monthly, ctx.me.id)
    settings = ctx.services.settings
    return await admin.allowances(settings.manager_monthly_allowance, settings.zone)


class ManagerAllowanceBody(Strict):
    monthly: int | None = Field(ge=0, le=1_000_000)  # null: back to every manager's


@api.route("PUT", "/api/admin/allowances/managers/{id:int}",
           summary="Set one manager's own gift allowance (null: every manager's again)",
           tags=["rewards"], body=ManagerAllowanceBody, response=AllowancesOut,
           roles=COMMS)  # fmt: skip
async def put_manager_allowance(ctx: Ctx, body: ManagerAllowanceBody) -> dict[str, Any]:
    manager_id = ctx.path_int("id")
    await admin.manager_exists(manager_id)
    await admin.set_allowance(f"{admin.MANAGER}:{manager_id}", body.monthly, ctx.me.id)
    settings = ctx.services.settings
    return await admin.allowances(settings.manager_monthly_allowance, settings.zone)


class TrailQuery(Strict):
    limit: int = Field(default=50, ge=1, le=200)
    before: int | None = Field(default=None, ge=1)  # the `seq` of the last row seen
    area: Literal["shop", "grant", "badge", "redemption", "prize", "allowance"] | None = None


class TrailEntry(BaseModel):
    seq: int
    at: str
    actor_id: int | None
    actor_name: str | None
    action: str  # shop.item.create, grant.spins, redemption.approve, allowance.set, ...
    target: str  # shop_item:mug, employee:12, redemption:ab12, prize:mug, allowance:kudos
    target_name: str | None  # the person's name when the target is an employee
    detail: dict[str, Any]


class Trail(BaseModel):
    entries: list[TrailEntry]


@api.route("GET", "/api/admin/rewards/audit",
           summary="Every reward action of the audit log: who, when, what, why",
           tags=["rewards"], query=TrailQuery, response=Trail, roles=COMMS)  # fmt: skip
async def reward_trail(ctx: Ctx, query: TrailQuery) -> dict[str, Any]:
    return {"entries": await admin.trail(query.limit, query.before, query.area)}


# -- abuse ------------------------------------------------------------------------------------


class RingsQuery(Strict):
    days: int = Field(default=30, ge=1, le=366)
    min_count: int = Field(default=3, ge=1)
    share: float = Field(default=0.6, gt=0, le=1)


@api.route("GET", "/api/admin/abuse/rings",
           summary="Pairs and small groups who mostly reward each other",
           tags=["rewards"], query=RingsQuery, roles=COMMS)  # fmt: skip
async def rings(ctx: Ctx, query: RingsQuery) -> dict[str, Any]:
    return {"rings": await service.abuse_rings(query.days, query.min_count, query.share)}
