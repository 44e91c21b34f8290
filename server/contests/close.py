"""The close of a contest, exactly once: after `final_at` the result is computed from the
database, each prize goes through the ledger once, the announcement is posted once, and
`contest.closed` is pushed.

Exactly once although the worker may die anywhere: the close row is unique per contest;
each prize to each person has a deterministic id (contest, prize, person), and its
transfers, badge and prize row are written in one transaction with the ids it skips when
they exist; the announcement post claims the close row in the post's own transaction
(`announcement_post_id IS NULL`), so a second post rolls back. A close that died is
finished by the next run of the cron job (every minute).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from gamification import live as live_events
from gamification import sql, store
from gamification.contests.live import LiveStandings
from gamification.lease import lease
from gamification.ledger import (
    NO_ORG,
    POINTS,
    SPINS,
    Transfer,
    item_currency,
    stock_account,
    system_account,
    user_account,
)
from gamification.store import BadgeRow
from rules.ruleset import ContestSpec, Ruleset
from rules.standings import prize_slots
from server.community.access import load_viewer
from server.contests import service, words
from server.models import (
    Channel,
    ContestClose,
    ContestPrize,
    Employee,
    EmployeeStatus,
    Redemption,
    Role,
    RulesetVersion,
)
from server.notifications.service import notify_each
from server.rewards.service import key_id
from server.services import Services

log = logging.getLogger("plaza.contests")

CHUNK = 200  # prizes per transaction
Fault = Callable[[str], Awaitable[None]]


class _Taken(Exception):
    """Another run posted the announcement first: this post rolls back."""


async def close_due(
    services: Services, now: datetime | None = None, fault: Fault | None = None
) -> list[str]:
    """Cron: close every contest of the live ruleset past its final_at (once each)."""
    now = now or datetime.now(UTC)
    zone = services.settings.timezone
    ruleset = await service.live_ruleset(zone)
    closed: list[str] = []
    if ruleset is None:
        return closed
    for spec in ruleset.contests:
        if now < spec.final_at:
            continue
        row = await ContestClose.get_or_none(contest_id=spec.id)
        if row is not None and row.state == "settled":
            continue
        key = f"{services.settings.redis_prefix}:contest:{spec.id}:closing"
        async with lease(services.redis, key, 30) as held:
            if held:
                await close_contest(services, spec, ruleset, fault=fault)
                closed.append(spec.id)
    return closed


async def close_contest(
    services: Services, spec: ContestSpec, ruleset: Ruleset, *, fault: Fault | None = None
) -> ContestClose:
    row, _ = await ContestClose.get_or_create(
        contest_id=spec.id, defaults={"ruleset_version": ruleset.version}
    )
    if row.ruleset_version != ruleset.version:  # edited since the close began: keep its rules
        version = await RulesetVersion.get_or_none(version=row.ruleset_version)
        if version is not None:
            older = service.compiled(version, services.settings.timezone)
            spec, ruleset = older.contest(spec.id) or spec, older
    if row.state == "settled":
        return row
    computed = await service.compute(spec, ruleset)
    rows = computed.rows
    # The final standings; nothing is applied after the close, so no applied keys.
    await LiveStandings(services.redis).replace(
        service.live_keys(services, spec),
        rows,
        (),
        computed.heads if spec.per_head else {},
        computed.reach,
    )
    winners = sorted((r for r in rows if r.winner), key=lambda r: r.winner_rank or 0)
    winners_json = [
        {**w, "winner_rank": r.winner_rank}
        for w, r in zip(await service.rows_out(spec, winners, None), winners, strict=True)
    ]
    members: dict[str, list[int]] = {}
    for person, group in computed.groups.items():
        members.setdefault(group, []).append(int(person))
    gifts: list[tuple[str, int, Any, int]] = []  # (participant, person, slot, prize index)
    for slot in prize_slots(rows, spec.prizes):
        people = (
            [int(slot.participant)]
            if spec.participants == "people"
            else sorted(members.get(slot.participant, []))
        )
        gifts += [(slot.participant, person, slot, slot.prize) for person in people]
    row.participant_count = len(rows)
    row.winners = winners_json
    row.prizes = len(gifts)
    await row.save(update_fields=["participant_count", "winners", "prizes"])

    for start in range(0, len(gifts), CHUNK):
        await _give(row, spec, ruleset, gifts[start : start + CHUNK], len(rows))
        if fault is not None:
            await fault("chunk")
    row.settled = await ContestPrize.filter(contest_id=spec.id).count()
    await row.save(update_fields=["settled"])
    await _tell_winners(services, spec)
    if spec.announce and row.announcement_post_id is None:
        await _announce(services, row, spec, winners_json, len(rows))
    if fault is not None:
        await fault("before_settled")
    row.state = "settled"
    row.settled_at = datetime.now(UTC)
    await row.save(update_fields=["state", "settled_at"])
    await live_events.emit(
        services.emitter,
        "contest.closed",
        {"contest_id": spec.id, "winners": [_public(w) for w in winners_json]},
        live_events.BOARDS_ROOM,
    )
    log.info("contest %s closed: %s prizes", spec.id, row.prizes)
    return row


async def _tell_winners(services: Services, spec: ContestSpec) -> None:
    """A notification per prize, from the prize rows (so a close that died after giving is
    told on its next run; the key per prize and person makes it once)."""
    given = await ContestPrize.filter(contest_id=spec.id).values_list("user_id", "prize", "texts")
    items = []
    for user_id, index, texts in given:
        award = spec.prizes[int(index)].award if int(index) < len(spec.prizes) else None
        payload = {
            "contest_id": spec.id,
            "title": dict(spec.title),
            "text": dict(texts),
            "points": award.points if award else 0,
            "spins": award.spins if award else 0,
            "badge": award.badge if award else None,
            "item": award.item if award else None,
        }
        items.append((int(user_id), payload, f"{spec.id}:{index}"))
    for start in range(0, len(items), CHUNK):  # a bounded query per transaction
        await notify_each(services, "contest.prize", items[start : start + CHUNK])


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "winner_rank"}


async def _give(
    close: ContestClose,
    spec: ContestSpec,
    ruleset: Ruleset,
    gifts: list[tuple[str, int, Any, int]],
    of: int,
) -> None:
    now = datetime.now(UTC)
    ids = {
        key_id("contest", spec.id, index, person): g for g in gifts for (_, person, _, index) in [g]
    }
    try:
        async with in_transaction() as conn:
            done = {
                p.id for p in await ContestPrize.filter(id__in=list(ids)).using_db(conn).only("id")
            }
            transfers: list[Transfer] = []
            badges: list[BadgeRow] = []
            prizes: list[ContestPrize] = []
            redemptions: list[Redemption] = []
            orgs = await store.people(conn, [g[1] for g in ids.values()])
            # Shop items come out of the shop's stock while it lasts (read in this
            # transaction; a concurrent purchase of the last unit rolls this chunk back and
            # the next run gives it again). Beyond it the winner still has the prize: the
            # unit is owed, counted on `item:<id>:contest`, as the stock never goes below 0.
            wanted = {spec.prizes[g[3]].award.item for g in ids.values()} - {None}
            stock = await store.balances(
                conn, [stock_account(item_currency(str(i))) for i in sorted(map(str, wanted))]
            )
            texts_of: dict[int, dict[str, str]] = {}
            for prize_id, (participant, person, slot, index) in ids.items():
                if prize_id in done:
                    continue
                award = spec.prizes[index].award
                texts = texts_of.get(slot.place)
                if texts is None:
                    texts = texts_of[slot.place] = words.place_texts(spec, slot.place, of)
                found = orgs.get(str(person))
                org = found.org if found is not None else NO_ORG
                for currency, amount, suffix in (
                    (POINTS, award.points, "p"),
                    (SPINS, award.spins, "s"),
                ):
                    if amount:
                        transfers.append(
                            Transfer(
                                id=f"{prize_id}:{suffix}",
                                kind="contest",
                                currency=currency,
                                debit=system_account(currency, "contest"),
                                credit=user_account(currency, person),
                                amount=amount,
                                at=now,
                                user_id=person,
                                reason=texts["en"],
                                org=org,
                            )
                        )
                if award.item:
                    currency = item_currency(award.item)
                    source = stock_account(currency)
                    if stock[source] > 0:
                        stock[source] -= 1
                    else:
                        source = system_account(currency, "contest")
                    transfers.append(
                        Transfer(
                            id=f"{prize_id}:i",
                            kind="contest",
                            currency=currency,
                            debit=source,
                            credit=user_account(currency, person),
                            amount=1,
                            at=now,
                            user_id=person,
                            reason=texts["en"],
                            org=org,
                        )
                    )
                    # The shop's list of what to hand over, and the winner's "my items".
                    redemptions.append(
                        Redemption(
                            id=prize_id,
                            user_id=person,
                            item_id=award.item,
                            price=0,
                            status="completed",
                            created_at=now,
                            decided_at=now,
                        )
                    )
                if award.badge:
                    badge = ruleset.badges.get(award.badge)
                    badges.append(
                        BadgeRow(
                            id=f"{prize_id}:b",
                            user_id=person,
                            badge_id=award.badge,
                            kind="rule",
                            tier=badge.tier if badge else None,
                            title=dict(badge.title) if badge else None,
                            topic=None,
                            rule_id=None,
                            event_id=None,
                            given_by_id=None,
                            reason=texts["en"],
                            unique_key=f"badge:{person}:{award.badge}",
                            created_at=now,
                        )
                    )
                prizes.append(
                    ContestPrize(
                        id=prize_id,
                        contest_id=spec.id,
                        user_id=person,
                        participant=participant,
                        prize=index,
                        place=slot.place,
                        of=of,
                        texts=texts,
                    )
                )
            if not prizes:
                return
            await store.post(conn, transfers, now)
            await store.insert_badges(conn, badges)
            await ContestPrize.bulk_create(prizes, using_db=conn)
            if redemptions:
                await Redemption.bulk_create(redemptions, using_db=conn)
    except IntegrityError:
        log.warning("contest %s: a concurrent close gave these prizes", spec.id)


async def _announce(
    services: Services,
    close: ContestClose,
    spec: ContestSpec,
    winners: list[dict[str, Any]],
    total: int,
) -> None:
    from server.posts import service as posts
    from server.posts.schemas import PostIn

    author = (
        await Employee.filter(role=Role.COMMS, status=EmployeeStatus.ACTIVE).order_by("id").first()
        or await Employee.filter(role=Role.ADMIN, status=EmployeeStatus.ACTIVE)
        .order_by("id")
        .first()
    )
    channel = (
        await Channel.filter(mandatory=True).order_by("id").first()
        or await Channel.all().order_by("id").first()
    )
    if author is None or channel is None:
        log.warning("contest %s: no comms author or news channel to announce it", spec.id)
        return
    locale = services.settings.locale
    body = words.announcement(
        spec,
        [(w["place"], w["participant"]["name"], w["score"]) for w in winners],
        total,
        locale,
    )

    async def claim(conn: BaseDBAsyncClient, post: Any) -> None:
        changed = await sql.execute(
            conn,
            "UPDATE contest_close SET announcement_post_id = ? "
            "WHERE id = ? AND announcement_post_id IS NULL",
            [post.id, close.id],
        )
        if changed != 1:
            raise _Taken

    viewer = await load_viewer(author)
    try:
        post = await posts.create_post(
            services, viewer, PostIn(body=body, channel_id=channel.id), claim=claim
        )
    except _Taken:
        return
    close.announcement_post_id = post.id
