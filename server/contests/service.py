"""Contests on the server: which exist, their live standings, their JSON, and the data
the standings are built from (stored events, the ledger)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from gamification import sql, store
from gamification.contests.live import LiveKeys, LiveStandings
from gamification.lease import lease
from gamification.ledger import POINTS
from rules.contests import event_contributions, heads_of
from rules.engine import Event, Profile
from rules.ruleset import ContestSpec, Ruleset, load_ruleset
from rules.standings import Contribution, Row, reach_times, standings
from server.contests import words
from server.models import (
    City,
    ContestClose,
    Department,
    Employee,
    EmployeeStatus,
    Region,
    RulesetVersion,
    ShopItem,
    Store,
)
from server.services import Services

KIND = {"people": "person", "store": "store", "city": "city", "region": "region"}


# -- which contests exist ---------------------------------------------------------------------

_compiled: dict[str, Ruleset] = {}


def compiled(row: RulesetVersion, zone: str) -> Ruleset:
    key = f"{row.version}:{zone}"
    found = _compiled.get(key)
    if found is None:
        if len(_compiled) > 64:
            _compiled.clear()
        found = _compiled[key] = load_ruleset(row.text, f"ruleset {row.version[:12]}", zone)
    return found


async def live_ruleset(zone: str) -> Ruleset | None:
    from server.rulesets.service import live_publication

    publication = await live_publication()
    return compiled(publication.ruleset, zone) if publication else None


@dataclass(frozen=True, slots=True)
class Known:
    spec: ContestSpec
    ruleset: Ruleset
    close: ContestClose | None


async def known_contests(zone: str) -> list[Known]:
    """The live ruleset's contests, and every closed one (from the version that closed it)."""
    live = await live_ruleset(zone)
    closes = {c.contest_id: c for c in await ContestClose.all()}
    out: dict[str, Known] = {}
    if live is not None:
        for spec in live.contests:
            out[spec.id] = Known(spec, live, closes.get(spec.id))
    missing = [c for cid, c in closes.items() if cid not in out]
    if missing:
        rows = {
            r.version: r
            for r in await RulesetVersion.filter(version__in={c.ruleset_version for c in missing})
        }
        for gone in missing:
            version = rows.get(gone.ruleset_version)
            if version is None:
                continue
            old = compiled(version, zone)
            found = old.contest(gone.contest_id)
            if found is not None:
                out[found.id] = Known(found, old, gone)
    # A closed contest keeps the definition it closed with.
    for cid, item in list(out.items()):
        closed = item.close
        if closed is not None and closed.ruleset_version != item.ruleset.version:
            version = await RulesetVersion.get_or_none(version=closed.ruleset_version)
            if version is not None:
                old = compiled(version, zone)
                found = old.contest(cid)
                if found is not None:
                    out[cid] = Known(found, old, closed)
    return sorted(out.values(), key=lambda k: (k.spec.starts, k.spec.id))


async def find(zone: str, contest_id: str) -> Known | None:
    return next((k for k in await known_contests(zone) if k.spec.id == contest_id), None)


# -- what standings are built from ------------------------------------------------------------


async def profiles() -> dict[str, Profile]:
    from server.rulesets.service import profiles as all_profiles

    return await all_profiles()


async def active_groups(spec: ContestSpec) -> tuple[dict[str, str], dict[str, int]]:
    """person -> group code, and group -> head count (active employees), for groups."""
    if spec.participants == "people":
        return {}, {}
    column = {"store": "s.code", "city": "c.code", "region": "r.code", "department": "d.code"}[
        spec.participants
    ]
    rows = await sql.fetch(
        sql.default(),
        f"SELECT e.id AS id, {column} AS code FROM employee e "  # noqa: S608 - a fixed column
        "LEFT JOIN store s ON s.id = e.store_id LEFT JOIN city c ON c.id = s.city_id "
        "LEFT JOIN region r ON r.id = c.region_id "
        "LEFT JOIN department d ON d.id = e.department_id WHERE e.status = ?",
        [EmployeeStatus.ACTIVE.value],
    )
    groups = {str(r["id"]): r["code"] for r in rows if r["code"]}
    return groups, heads_of(groups)


_TRANSFERS = (
    "SELECT id, user_id, credit_id, amount, at FROM ledger_transfer "
    "WHERE currency = ? AND kind IN ('award', 'reversal') AND at >= ? AND at < ? "
    "AND created_at <= ? AND user_id IS NOT NULL"
)


async def stored_contributions(
    spec: ContestSpec, ruleset: Ruleset, people: Mapping[str, Profile] | None = None
) -> list[Contribution]:
    """Every contribution the database holds for the contest: events (count, sum) that
    happened in the window and were settled by final_at, or the ledger's awards and
    reversals of the chosen rules made by then (points_from)."""
    conn = sql.default()
    starts, ends, final = (store.utc(m) for m in (spec.starts, spec.ends, spec.final_at))
    if spec.score == "points":
        if not spec.rules:
            return []
        rows: list[sql.Row] = []
        for where, values in sql.member_of(conn, "rule_id", sorted(spec.rules), 500):
            rows += await sql.fetch(
                conn,
                f"{_TRANSFERS} AND {where}",
                [POINTS, starts, ends, final, *values],
            )
        out = []
        for r in rows:
            user = str(r["user_id"])
            sign = 1 if r["credit_id"] == f"{POINTS}:user:{user}" else -1
            out.append(
                Contribution(r["id"], user, float(sign * r["amount"]), sql.as_datetime(r["at"]))
            )
        return out
    rows = await sql.fetch(
        conn,
        "SELECT id, type, actor_id, subject_id, at, data FROM activity_event "
        "WHERE type = ? AND at >= ? AND at < ? AND settled_at IS NOT NULL AND settled_at <= ?",
        [spec.event, starts, ends, final],
    )
    events = []
    for r in rows:
        data = r["data"]
        subject = r["subject_id"]
        events.append(
            Event(
                id=r["id"],
                type=r["type"],
                actor=str(r["actor_id"]),
                at=sql.as_datetime(r["at"]),
                subject=str(subject) if subject is not None else None,
                fields=orjson.loads(data) if isinstance(data, str | bytes) else (data or {}),
            )
        )
    if people is None:
        plan = spec.plan
        people = {}
        if plan is not None and (plan.actor_reads or plan.subject_reads or plan.presence):
            ids = {int(e.actor) for e in events if e.actor.isdigit()} | {
                int(e.subject) for e in events if e.subject and e.subject.isdigit()
            }
            found = await store.people(conn, ids)
            people = {k: v.profile for k, v in found.items()}
    return event_contributions(spec, events, people, ruleset)


@dataclass(frozen=True, slots=True)
class Computed:
    rows: list[Row]
    contributions: list[Contribution]
    groups: dict[str, str]
    heads: dict[str, int]
    reach: dict[str, datetime]


async def compute(spec: ContestSpec, ruleset: Ruleset) -> Computed:
    """The standings from the database (the close's result, and live rebuilds)."""
    contributions = await stored_contributions(spec, ruleset)
    groups, heads = await active_groups(spec)
    rows = standings(spec, contributions, groups, heads)
    reach: dict[str, datetime] = {}
    if spec.mode == "first":
        kept = []
        for c in contributions:
            who = c.person if spec.participants == "people" else groups.get(c.person)
            if who:
                kept.append((who, c))
        head_of = {who: heads.get(who) for who in {w for w, _ in kept}}
        reach = reach_times(spec, kept, head_of)
    return Computed(rows, contributions, groups, heads, reach)


def live_keys(services: Services, spec: ContestSpec) -> LiveKeys:
    return LiveKeys.of(services.settings.redis_prefix, spec.id, spec.digest)


async def ensure_built(services: Services, spec: ContestSpec, ruleset: Ruleset) -> LiveKeys:
    """The live standings, built from the database first when Redis lacks them."""
    keys = live_keys(services, spec)
    live = LiveStandings(services.redis)
    if await live.built(keys):
        return keys
    async with lease(services.redis, f"{keys.base}:building", 60) as held:
        if held and not await live.built(keys):
            await rebuild(services, spec, ruleset)
            return keys
    # Someone else builds: wait for them a little.
    for _ in range(100):
        if await live.built(keys):
            break
        await _sleep(0.1)
    return keys


async def rebuild(services: Services, spec: ContestSpec, ruleset: Ruleset) -> Computed:
    computed = await compute(spec, ruleset)
    await LiveStandings(services.redis).replace(
        live_keys(services, spec),
        computed.rows,
        (c.key for c in computed.contributions),
        computed.heads if spec.per_head else {},
        computed.reach,
    )
    return computed


async def _sleep(seconds: float) -> None:
    import asyncio

    await asyncio.sleep(seconds)


# -- reading -----------------------------------------------------------------------------------


def my_participant(spec: ContestSpec, me: Employee, org: Mapping[str, str | None]) -> str | None:
    if spec.participants == "people":
        return str(me.id)
    return org.get(spec.participants) or None


async def org_codes(me: Employee) -> dict[str, str | None]:
    found = await store.org_of(sql.default(), me.id)
    return {
        "store": found.store,
        "city": found.city,
        "region": found.region,
        "department": found.department,
    }


async def winner_marks(
    services: Services, known: Known, keys: LiveKeys, rows: list[Row]
) -> list[Row]:
    """Rows with `winner` and `winner_rank` set: from the close once final, else by the
    contest's rule on the live scores."""
    spec = known.spec
    if known.close is not None and known.close.winners:
        ranks = {
            w["participant"]["id"]: w.get("winner_rank") or i
            for i, w in enumerate(known.close.winners, 1)
        }
        return [_with(r, r.participant in ranks, ranks.get(r.participant)) for r in rows]
    if spec.mode == "top":
        return [
            _with(r, r.place <= (spec.top or 0) and r.score > 0, r.place)
            if r.place <= (spec.top or 0) and r.score > 0
            else r
            for r in rows
        ]
    if spec.mode == "over":
        return [
            _with(r, True, None) if r.score >= (spec.over or 0) and r.score > 0 else r for r in rows
        ]
    order = (await LiveStandings(services.redis).reach_order(keys))[: spec.first or 0]
    ranks = {who: i for i, who in enumerate(order, 1)}
    return [_with(r, True, ranks[r.participant]) if r.participant in ranks else r for r in rows]


def _with(row: Row, winner: bool, rank: int | None) -> Row:
    return Row(
        row.place,
        row.participant,
        row.score,
        row.raw_score,
        row.heads,
        row.reached_at,
        row.tie,
        winner,
        rank if winner else None,
    )


async def participants(spec: ContestSpec, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Participant JSON (kind, id, name, avatar_url) for these ids."""
    wanted = sorted(set(ids))
    kind = KIND.get(spec.participants, spec.participants)
    out: dict[str, dict[str, Any]] = {}
    if not wanted:
        return out
    if spec.participants == "people":
        numbers = [int(i) for i in wanted if i.isdigit()]
        for e in await Employee.filter(id__in=numbers):
            out[str(e.id)] = {
                "kind": "person",
                "id": str(e.id),
                "name": e.name,
                "avatar_url": f"/api/employees/{e.id}/avatar" if e.avatar_path else None,
            }
    else:
        model: Any = {"store": Store, "city": City, "region": Region, "department": Department}[
            spec.participants
        ]
        for g in await model.filter(code__in=wanted):
            out[g.code] = {"kind": kind, "id": g.code, "name": g.name, "avatar_url": None}
    for ident in wanted:
        out.setdefault(ident, {"kind": kind, "id": ident, "name": ident, "avatar_url": None})
    return out


def row_out(row: Row, who: dict[str, Any], mine: str | None) -> dict[str, Any]:
    return {
        "place": row.place,
        "participant": who,
        "score": row.score,
        "raw_score": row.raw_score,
        "heads": row.heads,
        "reached_at": row.reached_at.isoformat() if row.reached_at else None,
        "tie": row.tie,
        "winner": row.winner,
        "is_me": mine is not None and row.participant == mine,
    }


async def rows_out(spec: ContestSpec, rows: list[Row], mine: str | None) -> list[dict[str, Any]]:
    names = await participants(spec, [r.participant for r in rows])
    return [row_out(r, names[r.participant], mine) for r in rows]


async def standings_page(
    services: Services, known: Known, offset: int, limit: int, me: Employee
) -> dict[str, Any]:
    spec = known.spec
    keys = await ensure_built(services, spec, known.ruleset)
    live = LiveStandings(services.redis)
    rows = await winner_marks(services, known, keys, await live.page(keys, offset, limit))
    mine_id = my_participant(spec, me, await org_codes(me))
    mine_row = None
    if mine_id is not None:
        found = await live.row_of(keys, mine_id)
        if found is not None:
            mine_row = (await winner_marks(services, known, keys, [found]))[0]
    out_rows = await rows_out(spec, rows + ([mine_row] if mine_row else []), mine_id)
    return {
        "items": out_rows[: len(rows)],
        "total": await live.total(keys),
        "mine": out_rows[len(rows)] if mine_row else None,
        "as_of": datetime.now(UTC).isoformat(),
    }


async def contest_out(
    services: Services, known: Known, me: Employee, locale: str, now: datetime | None = None
) -> dict[str, Any]:
    spec = known.spec
    now = now or datetime.now(UTC)
    status = spec.status(now)
    keys = await ensure_built(services, spec, known.ruleset)
    live = LiveStandings(services.redis)
    mine_id = my_participant(spec, me, await org_codes(me))
    mine = None
    if mine_id is not None:
        found = await live.row_of(keys, mine_id)
        if found is not None:
            marked = (await winner_marks(services, known, keys, [found]))[0]
            mine = (await rows_out(spec, [marked], mine_id))[0]
    winners = None
    if status == "final" and known.close is not None:
        winners = [
            {**w, "is_me": mine_id is not None and w["participant"]["id"] == mine_id}
            for w in known.close.winners
        ]
    return {
        "id": spec.id,
        "title": words.pick(spec.title, locale),
        "description": words.pick(spec.description, locale) or None,
        "status": status,
        "starts_at": spec.starts.isoformat(),
        "ends_at": spec.ends.isoformat(),
        "final_at": spec.final_at.isoformat(),
        "timezone": spec.timezone,
        "participants": spec.participants,
        "per_head": spec.per_head,
        "rules_in_words": words.rules_in_words(spec, known.ruleset, locale),
        "prizes": prizes_out(spec, known.ruleset, locale, await shop_titles(spec)),
        "participant_count": (
            known.close.participant_count
            if known.close is not None and known.close.state == "settled"
            else await live.total(keys)
        ),
        "mine": mine,
        "winners": winners,
    }


async def shop_titles(spec: ContestSpec) -> dict[str, dict[str, str]]:
    """The titles of the shop items the contest's prizes name, by id."""
    wanted = {p.award.item for p in spec.prizes if p.award.item}
    if not wanted:
        return {}
    return dict(await ShopItem.filter(id__in=sorted(wanted)).values_list("id", "title"))


def award_out(
    spec: ContestSpec,
    ruleset: Ruleset,
    award: Any,
    locale: str,
    items: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    badge = None
    if award.badge:
        found = ruleset.badges.get(award.badge)
        title = words.pick(dict(found.title), locale) if found else award.badge
        badge = {"id": award.badge, "title": title}
    item = None
    if award.item:
        titled = (items or {}).get(award.item)
        item = {"id": award.item, "title": words.pick(titled, locale) if titled else award.item}
    return {"points": award.points, "spins": award.spins, "badge": badge, "item": item}


def prizes_out(
    spec: ContestSpec,
    ruleset: Ruleset,
    locale: str,
    items: Mapping[str, Mapping[str, str]] | None = None,
) -> list[dict[str, Any]]:
    return [
        {
            "for": p.for_,
            "place": p.place,
            "over": p.over,
            "award": award_out(spec, ruleset, p.award, locale, items),
            "text": words.prize_text(spec, p, ruleset.badges, locale, items),
        }
        for p in spec.prizes
    ]
