"""Analytics over HTTP: the app's visit heartbeat (everyone), and for the comms team the
headline figures, series, breakdowns (small cells merged), CSV exports and goals. Pages read
only the daily aggregates; the worker rolls them up (server/analytics/store.py)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import unescape
from typing import Any, Literal

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response, StreamingResponse
from tortoise.functions import Max, Sum

from server.analytics import figures, report, rewards, rollup, spans
from server.api import Api, Ctx
from server.community.sql import fetch, placeholders
from server.errors import ApiError
from server.models import (
    Channel,
    DailyCell,
    Goal,
    Group,
    Post,
    PostStat,
    RewardCell,
    Role,
    Visit,
)
from server.schemas import Strict

api = Api()
TAGS = ["analytics"]
ANALYSTS = [Role.COMMS, Role.ADMIN]
MAX_DAYS = 731
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)  # and the period before still a date
Metric = Literal[
    "active", "engaged", "authors", "returning", "phone", "web", "sessions", "views", "posts",
    "comments", "reactions", "confirmations", "new", "wau", "mau", "dau_mau",
    "avg_session_minutes",
]  # fmt: skip
Dimension = Literal["store", "city", "region", "department", "role"]
Period = Literal["week", "month", "quarter", "year"]


class VisitBody(Strict):
    visit: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    phone: bool = False


@api.route("POST", "/api/me/visits", summary="The app is open and in use (a heartbeat)",
           tags=TAGS, body=VisitBody, status=204)  # fmt: skip
async def visit(ctx: Ctx, body: VisitBody) -> Response:
    """The app sends this when it opens and every minute while visible. One row per visit:
    the first beat creates it, the next ones move `last_seen_at`. A beat for someone else's
    visit id is ignored (ids are random per tab)."""
    assert ctx.user is not None
    now = datetime.now(UTC)
    updated = await Visit.filter(id=body.visit, employee_id=ctx.user.id).update(last_seen_at=now)
    if not updated and not await Visit.exists(id=body.visit):
        await Visit.create(
            id=body.visit,
            employee_id=ctx.user.id,
            started_at=now,
            last_seen_at=now,
            phone=body.phone,
        )
    return Response(status_code=204)


class Range(Strict):
    start: date = Field(alias="from")
    end: date = Field(alias="to")


def _check(start: date, end: date) -> None:
    if end < start or start < EARLIEST or end > LATEST:
        raise ApiError(400, "bad_range")
    if (end - start).days >= MAX_DAYS:
        raise ApiError(400, "range_too_long", days=MAX_DAYS)


class Figures(BaseModel):
    start: date
    end: date
    values: dict[str, float]


class Summary(BaseModel):
    current: Figures
    previous: Figures
    rolled_until: date | None


def _today(ctx: Ctx) -> date:
    return datetime.now(UTC).astimezone(ctx.services.settings.zone).date()


async def _figures(start: date, end: date, today: date) -> Figures:
    length = max(0, (min(end, today) - start).days + 1)
    days = await report.company_days(start, end)
    return Figures(start=start, end=end, values=figures.headline(days, length))


@api.route("GET", "/api/analytics/summary", summary="Headline figures: a period and the one before",
           tags=TAGS, query=Range, response=Summary, roles=ANALYSTS)  # fmt: skip
async def summary(ctx: Ctx, query: Range) -> Summary:
    _check(query.start, query.end)
    today = _today(ctx)
    before = figures.previous(query.start, query.end)
    last = await DailyCell.filter(dimension="company").annotate(m=Max("day")).values("m")
    return Summary(
        current=await _figures(query.start, query.end, today),
        previous=await _figures(*before, today),
        rolled_until=last[0]["m"] if last else None,
    )


class SeriesQuery(Range):
    metric: Metric = "active"


class Point(BaseModel):
    day: date
    value: float


class Series(BaseModel):
    metric: str
    points: list[Point]


@api.route("GET", "/api/analytics/series", summary="One figure per day over a period",
           tags=TAGS, query=SeriesQuery, response=Series, roles=ANALYSTS)  # fmt: skip
async def series(ctx: Ctx, query: SeriesQuery) -> Series:
    _check(query.start, query.end)
    by_day = {d["day"]: d for d in await report.company_days(query.start, query.end)}
    points = []
    day = query.start
    while day <= query.end:
        values = figures.headline([by_day[day]] if day in by_day else [], 1)
        points.append(Point(day=day, value=values[query.metric]))
        day += timedelta(days=1)
    return Series(metric=query.metric, points=points)


class BreakdownQuery(Range):
    dimension: Dimension = "store"
    sort: Metric = "active"
    order: Literal["desc", "asc"] = "desc"
    limit: int = Field(default=5000, ge=1, le=5000)


class Cell(BaseModel):
    key: str
    name: str  # "" for the merged small cells (the app names them) and for roles
    values: dict[str, float]


class Breakdown(BaseModel):
    dimension: str
    start: date
    end: date
    min_people: int
    total: int  # cells before `limit`
    cells: list[Cell]


_NAMED = {"store": "store", "city": "city", "region": "region", "department": "department"}


_SUMMED_COLUMNS = spans.SUMMED


@dataclass(frozen=True, slots=True)
class _Table:
    """A breakdown as plain rows (`Breakdown`'s fields): building 2,000 pydantic cells cost
    more than adding the figures up."""

    total: int
    cells: list[dict[str, Any]]  # {"key", "name", "values"}


async def _breakdown(query: BreakdownQuery, today: date) -> _Table:
    _check(query.start, query.end)
    # Plain SQL and plain rows, from the pre-summed spans and the days at the ends: a
    # month of 2,000 stores is 60,000 daily cells to add up, or at most 8 x 2,000.
    rows = await spans.totals(query.dimension, query.start, query.end)
    length = max(1, (min(query.end, today) - query.start).days + 1)
    # A cell stands for at least its busiest day's active people (a lower bound of the
    # distinct people in it): merging below that bound never shows fewer than five people.
    raw = {
        str(r["key"]): {
            "people": int(r["people"] or 0),
            **{n: int(r[n] or 0) for n in _SUMMED_COLUMNS},
        }
        for r in rows
    }
    merged = rollup.merge_small(raw, people="people")
    values_of: dict[str, dict[str, float]] = {}
    for key, totals in merged.items():
        values: dict[str, float] = {n: float(totals[n]) for n in figures.SUMMED}
        for n in figures.AVERAGED:
            values[n] = round(totals[n] / length, 1)
        values["avg_session_minutes"] = (
            round(totals["session_seconds"] / totals["sessions"] / 60, 1)
            if totals["sessions"]
            else 0.0
        )
        values_of[key] = values
    sign = -1 if query.order == "desc" else 1
    keys = sorted(
        values_of,
        key=lambda k: (k == rollup.OTHERS, sign * values_of[k].get(query.sort, 0.0), k),
    )[: query.limit]
    names: dict[str, str] = {}
    table = _NAMED.get(query.dimension)
    ids = [int(k) for k in keys if k.isdigit()]
    if table is not None and ids:
        # Plain SQL: the ORM built a 2,000-value IN list slower than the query ran.
        found = await fetch(
            f"SELECT id, name FROM {table} WHERE id IN ({placeholders(ids)})",  # noqa: S608
            ids,
        )
        names = {str(r["id"]): r["name"] for r in found}
    return _Table(
        total=len(values_of),
        cells=[{"key": k, "name": names.get(k, ""), "values": values_of[k]} for k in keys],
    )


@api.route("GET", "/api/analytics/breakdown", summary="Figures per store, city, region...",
           tags=TAGS, query=BreakdownQuery, response=Breakdown, roles=ANALYSTS)  # fmt: skip
async def breakdown(ctx: Ctx, query: BreakdownQuery) -> Response:
    table = await _breakdown(query, _today(ctx))
    # The JSON `Breakdown` describes, written straight from the rows.
    body = {
        "dimension": query.dimension,
        "start": query.start,
        "end": query.end,
        "min_people": rollup.SMALL_CELL,
        "total": table.total,
        "cells": table.cells,
    }
    return Response(orjson.dumps(body), media_type="application/json")


CSV_COLUMNS = (
    "active", "engaged", "authors", "sessions", "avg_session_minutes", "views",
    "posts", "comments", "reactions", "confirmations", "new", "phone", "web",
)  # fmt: skip


def _csv(
    name: str, header: list[str], rows: Callable[[], Awaitable[Iterable[Sequence[object]]]]
) -> StreamingResponse:
    """A table as a CSV download, streamed. The BOM makes spreadsheet programs read the
    Cyrillic names as UTF-8; it and the header go out before the rows are computed, so the
    download starts at once."""

    async def lines() -> AsyncIterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        yield "\ufeff".encode() + buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
        for row in await rows():
            writer.writerow(row)
            if buffer.tell() > 16_384:
                yield buffer.getvalue().encode()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode()

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api.route("GET", "/api/analytics/breakdown.csv", summary="The breakdown as CSV (UTF-8 with BOM)",
           tags=TAGS, query=BreakdownQuery, roles=ANALYSTS,
           response_media_type="text/csv")  # fmt: skip
async def breakdown_csv(ctx: Ctx, query: BreakdownQuery) -> Response:
    _check(query.start, query.end)
    today = _today(ctx)

    async def rows() -> list[list[object]]:
        table = await _breakdown(query, today)
        return [
            [c["name"] or c["key"], c["key"], *(c["values"][n] for n in CSV_COLUMNS)]
            for c in table.cells
        ]

    return _csv(
        f"plaza-{query.dimension}-{query.start}-{query.end}.csv",
        [query.dimension, "key", *CSV_COLUMNS],
        rows,
    )


class GoalIn(Strict):
    metric: Metric
    period: Period
    target: float = Field(ge=0.001, le=1e12)  # DAU/MAU targets are ratios (0.7)


class GoalOut(BaseModel):
    metric: str
    period: str
    target: float
    start: date
    end: date
    value: float
    projected: float
    progress: float  # value / target, 0..


class Goals(BaseModel):
    goals: list[GoalOut]


async def _goal_out(goal: Goal, today: date) -> GoalOut:
    start, end = figures.period_of(goal.period, today)
    elapsed = (today - start).days + 1
    total = (end - start).days + 1
    value = figures.headline(await report.company_days(start, today), elapsed)[goal.metric]
    return GoalOut(
        metric=goal.metric,
        period=goal.period,
        target=goal.target,
        start=start,
        end=end,
        value=value,
        projected=figures.projected(goal.metric, value, elapsed, total),
        progress=round(min(value / goal.target, 1e6), 3),
    )


@api.route("GET", "/api/analytics/goals", summary="Goals and the progress of the current periods",
           tags=TAGS, response=Goals, roles=ANALYSTS)  # fmt: skip
async def goals(ctx: Ctx) -> Goals:
    today = _today(ctx)
    rows = await Goal.all().order_by("period", "metric")
    return Goals(goals=[await _goal_out(g, today) for g in rows])


@api.route("PUT", "/api/analytics/goals", summary="Set a goal for a figure and a kind of period",
           tags=TAGS, body=GoalIn, response=GoalOut, roles=ANALYSTS)  # fmt: skip
async def set_goal(ctx: Ctx, body: GoalIn) -> GoalOut:
    assert ctx.user is not None
    goal, _ = await Goal.update_or_create(
        metric=body.metric,
        period=body.period,
        defaults={"target": body.target, "set_by_id": ctx.user.id, "updated_at": datetime.now(UTC)},
    )
    return await _goal_out(goal, _today(ctx))


class GoalKey(Strict):
    metric: Metric
    period: Period


@api.route("DELETE", "/api/analytics/goals", summary="Remove a goal",
           tags=TAGS, query=GoalKey, status=204, roles=ANALYSTS)  # fmt: skip
async def delete_goal(ctx: Ctx, query: GoalKey) -> Response:
    if not await Goal.filter(metric=query.metric, period=query.period).delete():
        raise ApiError(404, "not_found")
    return Response(status_code=204)


class RewardFigures(BaseModel):
    start: date
    end: date
    totals: dict[str, int]
    by_key: dict[str, dict[str, int]]  # metric -> key (rule, source, prize, status) -> value


@api.route("GET", "/api/analytics/rewards", summary="Points, spins, prizes, redemptions, kudos",
           tags=TAGS, query=Range, response=RewardFigures, roles=ANALYSTS)  # fmt: skip
async def reward_figures(ctx: Ctx, query: Range) -> RewardFigures:
    return await _rewards(query)


async def _rewards(query: Range) -> RewardFigures:
    _check(query.start, query.end)
    rows = (
        await RewardCell.filter(day__gte=query.start, day__lte=query.end)
        .group_by("metric", "key")
        .annotate(total=Sum("value"))
        .values("metric", "key", "total")
    )
    by_key: dict[str, dict[str, int]] = {}
    totals: dict[str, int] = {}
    for r in rows:
        value = int(r["total"] or 0)
        by_key.setdefault(r["metric"], {})[r["key"]] = value
        if r["metric"] not in rewards.PEOPLE_A_DAY:  # people a day do not add up across days
            totals[r["metric"]] = totals.get(r["metric"], 0) + value
    for metric in rewards.PEOPLE_A_DAY:  # the average a day, over the days that have any
        if metric in by_key:
            days = await RewardCell.filter(
                day__gte=query.start, day__lte=query.end, metric=metric
            ).count()
            totals[metric] = round(sum(by_key[metric].values()) / max(1, days))
    return RewardFigures(start=query.start, end=query.end, totals=totals, by_key=by_key)


class PostsQuery(Range):
    limit: int = Field(default=20, ge=1, le=100)


class PostReach(BaseModel):
    id: int
    excerpt: str
    day: date
    channel: str | None
    audience: int
    viewers: int
    reach: float  # viewers / audience
    reactions: int
    comments: int
    confirmations: int
    needs_confirmation: bool


class ChannelReach(BaseModel):
    id: int
    name: str
    mandatory: bool
    posts: int
    viewers: int
    read_rate: float  # average share of each post's audience who saw it


class GroupActivity(BaseModel):
    id: int
    name: str
    posts: int
    viewers: int
    reactions: int
    comments: int


class Content(BaseModel):
    start: date
    end: date
    posts: list[PostReach]
    channels: list[ChannelReach]
    groups: list[GroupActivity]


_TAGS = re.compile(r"<[^>]+>")


def _excerpt(html: str, limit: int = 90) -> str:
    """The post's words as a reader sees them (from its rendered HTML: no Markdown marks)."""
    text = " ".join(unescape(_TAGS.sub(" ", html)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@api.route("GET", "/api/analytics/posts", summary="Reach of the period's posts and channels",
           tags=TAGS, query=PostsQuery, response=Content, roles=ANALYSTS)  # fmt: skip
async def content(ctx: Ctx, query: PostsQuery) -> Content:
    return await _content(query)


async def _content(query: PostsQuery) -> Content:
    _check(query.start, query.end)
    stats = await PostStat.filter(day__gte=query.start, day__lte=query.end)
    channels = {
        c.id: c for c in await Channel.filter(id__in={s.channel_id for s in stats if s.channel_id})
    }
    top = sorted(stats, key=lambda s: (-s.viewers, -s.post_id))[: query.limit]
    bodies = dict(await Post.filter(id__in=[s.post_id for s in top]).values_list("id", "html"))
    posts = [
        PostReach(
            id=s.post_id,
            excerpt=_excerpt(str(bodies.get(s.post_id, ""))),
            day=s.day,
            channel=channels[s.channel_id].name if s.channel_id in channels else None,
            audience=s.audience,
            viewers=s.viewers,
            reach=round(s.viewers / s.audience, 3) if s.audience else 0.0,
            reactions=s.reactions,
            comments=s.comments,
            confirmations=s.confirmations,
            needs_confirmation=s.needs_confirmation,
        )
        for s in top
    ]
    per_channel: dict[int, list[PostStat]] = {}
    for s in stats:
        if s.channel_id is not None:
            per_channel.setdefault(s.channel_id, []).append(s)
    summary = [
        ChannelReach(
            id=cid,
            name=channels[cid].name,
            mandatory=channels[cid].mandatory,
            posts=len(rows),
            viewers=sum(r.viewers for r in rows),
            read_rate=round(sum(r.viewers / r.audience for r in rows if r.audience) / len(rows), 3),
        )
        for cid, rows in per_channel.items()
        if cid in channels
    ]
    summary.sort(key=lambda c: (-c.viewers, c.name))
    per_group: dict[int, list[PostStat]] = {}
    for s in stats:
        if s.group_id is not None:
            per_group.setdefault(s.group_id, []).append(s)
    group_names = dict(await Group.filter(id__in=list(per_group)).values_list("id", "name"))
    groups = [
        GroupActivity(
            id=gid,
            name=str(group_names[gid]),
            posts=len(rows),
            viewers=sum(r.viewers for r in rows),
            reactions=sum(r.reactions for r in rows),
            comments=sum(r.comments for r in rows),
        )
        for gid, rows in per_group.items()
        if gid in group_names
    ]
    groups.sort(key=lambda g: (-(g.reactions + g.comments + g.viewers), g.name))
    return Content(
        start=query.start, end=query.end, posts=posts, channels=summary, groups=groups[:50]
    )


class ContentTableQuery(PostsQuery):
    table: Literal["posts", "channels", "groups"] = "posts"


@api.route("GET", "/api/analytics/posts.csv",
           summary="A table of the period's content as CSV: posts, channels or groups",
           tags=TAGS, query=ContentTableQuery, roles=ANALYSTS,
           response_media_type="text/csv")  # fmt: skip
async def content_csv(ctx: Ctx, query: ContentTableQuery) -> Response:
    _check(query.start, query.end)
    columns = {
        "posts": ["id", "excerpt", "day", "channel", "audience", "viewers", "reach",
                  "reactions", "comments", "confirmations"],
        "channels": ["id", "name", "mandatory", "posts", "viewers", "read_rate"],
        "groups": ["id", "name", "posts", "viewers", "reactions", "comments"],
    }[query.table]  # fmt: skip

    async def rows() -> list[list[object]]:
        found = await _content(query)
        items: list[BaseModel] = list(getattr(found, query.table))
        return [[getattr(item, c) if getattr(item, c) is not None else "" for c in columns]
                for item in items]  # fmt: skip

    return _csv(f"plaza-{query.table}-{query.start}-{query.end}.csv", columns, rows)


class RewardTableQuery(Range):
    table: Literal["points_issued", "prizes_won", "redemptions"] = "points_issued"


@api.route("GET", "/api/analytics/rewards.csv",
           summary="A rewards table as CSV: points by rule or source, prizes won, redemptions",
           tags=TAGS, query=RewardTableQuery, roles=ANALYSTS,
           response_media_type="text/csv")  # fmt: skip
async def rewards_csv(ctx: Ctx, query: RewardTableQuery) -> Response:
    _check(query.start, query.end)

    async def rows() -> list[list[object]]:
        figures_ = (await _rewards(query)).by_key.get(query.table, {})
        return [[key, value] for key, value in sorted(figures_.items(), key=lambda kv: -kv[1])]

    return _csv(f"plaza-{query.table}-{query.start}-{query.end}.csv", ["key", query.table], rows)
