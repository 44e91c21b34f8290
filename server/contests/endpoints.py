"""/api/contests (everyone signed in) and /api/admin/contests (comms, admins): the contract
in docs/contests.md."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from rules.contests import event_contributions
from rules.errors import RulesetInvalid
from rules.ruleset import load_ruleset
from rules.standings import prize_slots, standings
from server.api import Api, Ctx
from server.contests import service, words
from server.errors import ApiError, not_found
from server.models import ContestClose, Role, RulesetVersion
from server.rulesets import service as rulesets
from server.schemas import Strict

api = Api()
EDITORS = [Role.COMMS, Role.ADMIN]


class ContestParticipant(BaseModel):
    kind: Literal["person", "store", "city", "region", "department"]
    id: str
    name: str
    avatar_url: str | None


class ContestStandingRow(BaseModel):
    place: int
    participant: ContestParticipant
    score: float
    raw_score: float
    heads: int | None
    reached_at: str | None
    tie: bool
    winner: bool
    is_me: bool


class ContestBadgeRef(BaseModel):
    id: str
    title: str


class ContestItemRef(BaseModel):
    id: str
    title: str


class ContestAwardOut(BaseModel):
    points: int
    spins: int
    badge: ContestBadgeRef | None
    item: ContestItemRef | None


class ContestPrizeOut(BaseModel):
    for_: Literal["place", "over", "first"] = Field(alias="for")
    place: int | None
    over: float | None
    award: ContestAwardOut
    text: str


class ContestOut(BaseModel):
    id: str
    title: str
    description: str | None
    status: Literal["upcoming", "running", "grace", "final"]
    starts_at: str
    ends_at: str
    final_at: str
    timezone: str
    participants: Literal["people", "store", "city", "region", "department"]
    per_head: bool
    rules_in_words: list[str]
    prizes: list[ContestPrizeOut]
    participant_count: int
    mine: ContestStandingRow | None
    winners: list[ContestStandingRow] | None


class ContestList(BaseModel):
    items: list[ContestOut]


class ContestListQuery(Strict):
    when: Literal["current", "past"] = "current"


class ContestPath(Strict):
    id: str = Field(max_length=64)


class ContestPageQuery(Strict):
    offset: int = Field(default=0, ge=0, le=1_000_000)
    limit: int = Field(default=50, ge=1, le=200)


class ContestStandingsOut(BaseModel):
    items: list[ContestStandingRow]
    total: int
    mine: ContestStandingRow | None
    as_of: str


class ContestSettlement(BaseModel):
    state: Literal["open", "settling", "settled"]
    prizes: int
    settled: int
    announcement_post_id: int | None


class ContestAdminItem(ContestOut):
    source: Literal["live", "draft"]
    version: int | None
    settlement: ContestSettlement


class ContestAdminList(BaseModel):
    items: list[ContestAdminItem]


class ContestDryRunBody(Strict):
    contest_id: str = Field(max_length=64)
    since: datetime | None = None
    until: datetime | None = None
    text: str | None = Field(default=None, max_length=256 * 1024)


class ContestPrizeGiven(BaseModel):
    participant: ContestParticipant
    award: ContestAwardOut
    text: str


class ContestDryRunOut(BaseModel):
    contest: ContestOut
    standings: list[ContestStandingRow]
    total: int
    winners: list[ContestStandingRow]
    prizes: list[ContestPrizeGiven]
    events_read: int


def _zone(ctx: Ctx) -> str:
    return ctx.services.settings.timezone


@api.route("GET", "/api/contests", summary="Contests now (upcoming, running, in grace) or past",
           tags=["contests"], query=ContestListQuery, response=ContestList)  # fmt: skip
async def list_contests(ctx: Ctx, query: ContestListQuery) -> dict[str, Any]:
    now = datetime.now(UTC)
    items = []
    for known in await service.known_contests(_zone(ctx)):
        final = known.spec.status(now) == "final"
        if final == (query.when == "past"):
            items.append(await service.contest_out(ctx.services, known, ctx.me, ctx.locale, now))
    if query.when == "past":
        items.reverse()
    return {"items": items}


async def _known(ctx: Ctx, contest_id: str) -> service.Known:
    found = await service.find(_zone(ctx), contest_id)
    if found is None:
        raise not_found()
    return found


@api.route("GET", "/api/contests/{id}", summary="One contest with its rules in words and my place",
           tags=["contests"], path_params=ContestPath, response=ContestOut)  # fmt: skip
async def get_contest(ctx: Ctx, path: ContestPath) -> dict[str, Any]:
    known = await _known(ctx, path.id)
    return await service.contest_out(ctx.services, known, ctx.me, ctx.locale)


@api.route("GET", "/api/contests/{id}/standings", summary="A page of a contest's standings",
           tags=["contests"], path_params=ContestPath, query=ContestPageQuery,
           response=ContestStandingsOut)  # fmt: skip
async def get_standings(ctx: Ctx, path: ContestPath, query: ContestPageQuery) -> dict[str, Any]:
    known = await _known(ctx, path.id)
    return await service.standings_page(ctx.services, known, query.offset, query.limit, ctx.me)


@api.route("GET", "/api/admin/contests",
           summary="Every contest, live or in my saved draft, with its settlement",
           tags=["contests"], response=ContestAdminList, roles=EDITORS)  # fmt: skip
async def admin_contests(ctx: Ctx) -> dict[str, Any]:
    zone = _zone(ctx)
    publication = await rulesets.live_publication()
    live_version = publication.ruleset.id if publication else None
    closes = {c.contest_id: c for c in await ContestClose.all()}
    items = []
    seen = set()
    for known in await service.known_contests(zone):
        seen.add(known.spec.id)
        out = await service.contest_out(ctx.services, known, ctx.me, ctx.locale)
        row = await RulesetVersion.get_or_none(version=known.ruleset.version)
        items.append(
            {
                **out,
                "source": "live",
                "version": row.id if row else live_version,
                "settlement": _settlement(closes.get(known.spec.id)),
            }
        )
    draft_row = (
        await RulesetVersion.filter(author_id=ctx.me.id).order_by("-id").first()
        if ctx.me is not None
        else None
    )
    if draft_row is not None and draft_row.id != live_version:
        try:
            draft = service.compiled(draft_row, zone)
        except RulesetInvalid:
            draft = None
        for spec in draft.contests if draft else ():
            if spec.id in seen:
                continue
            known = service.Known(spec, draft, None)  # type: ignore[arg-type]
            out = await service.contest_out(ctx.services, known, ctx.me, ctx.locale)
            items.append(
                {**out, "source": "draft", "version": draft_row.id, "settlement": _settlement(None)}
            )
    return {"items": items}


def _settlement(close: ContestClose | None) -> dict[str, Any]:
    if close is None:
        return {"state": "open", "prizes": 0, "settled": 0, "announcement_post_id": None}
    return {
        "state": close.state,
        "prizes": close.prizes,
        "settled": close.settled,
        "announcement_post_id": close.announcement_post_id,
    }


@api.route("POST", "/api/admin/contests/dry-run",
           summary="Who would win a contest over the stored events of a period",
           tags=["contests"], body=ContestDryRunBody, response=ContestDryRunOut,
           roles=EDITORS)  # fmt: skip
async def contest_dry_run(ctx: Ctx, body: ContestDryRunBody) -> dict[str, Any]:
    zone = _zone(ctx)
    if body.text is None:
        ruleset = await service.live_ruleset(zone)
        if ruleset is None:
            raise not_found()
    else:
        try:
            ruleset = load_ruleset(body.text, "ruleset.yaml", zone)
        except RulesetInvalid as exc:
            raise rulesets.invalid_file(exc, "ruleset_invalid") from None
    spec = ruleset.contest(body.contest_id)
    if spec is None:
        raise not_found()
    if body.since is not None or body.until is not None:
        since = _aware(body.since) if body.since else spec.starts
        until = _aware(body.until) if body.until else spec.ends
        if until <= since:
            raise ApiError(422, "validation_failed", field="until", reason="until before since")
        spec = dataclasses.replace(spec, starts=since, ends=until, grace=spec.grace * 0)
    events = await rulesets.stored_events(spec.starts, spec.ends)
    people = await rulesets.profiles()
    groups, heads = await service.active_groups(spec)
    contributions = await asyncio.to_thread(event_contributions, spec, events, people, ruleset)
    rows = standings(spec, contributions, groups, heads)
    known = service.Known(spec, ruleset, None)
    contest = await service.contest_out(ctx.services, known, ctx.me, ctx.locale)
    contest["participant_count"] = len(rows)
    contest["mine"] = None
    shown = rows[:100]
    winners = [r for r in rows if r.winner]
    winners.sort(key=lambda r: r.winner_rank or 0)
    slots = prize_slots(rows, spec.prizes)
    names = await service.participants(
        spec, [r.participant for r in shown + winners] + [s.participant for s in slots]
    )
    prizes = []
    items = await service.shop_titles(spec)
    for slot in slots[:500]:
        prize = spec.prizes[slot.prize]
        prizes.append(
            {
                "participant": names[slot.participant],
                "award": service.award_out(spec, ruleset, prize.award, ctx.locale, items),
                "text": words.prize_text(spec, prize, ruleset.badges, ctx.locale, items),
            }
        )
    return {
        "contest": contest,
        "standings": [service.row_out(r, names[r.participant], None) for r in shown],
        "total": len(rows),
        "winners": [service.row_out(r, names[r.participant], None) for r in winners],
        "prizes": prizes,
        "events_read": len(events),
    }


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
