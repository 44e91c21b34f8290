"""/api/admin/wheel/...: the wheel file's editor (check as you type, the live text, history
of publications with who and when, a diff between two versions).

A wheel version row keeps only its latest publication time, so who published what and why
is read from the audit log (`wheel.publish`, `wheel.rollback`), which every publication
writes; versions published before the log (the shipped wheel) show with nobody named.
"""

from __future__ import annotations

import difflib
from datetime import datetime

from pydantic import BaseModel, Field

from gamification.wheel import load_wheel
from rules.errors import RulesetInvalid
from server import audit
from server.api import Api, Ctx
from server.errors import not_found
from server.models import Role, WheelVersion
from server.models.audit import AuditEntry
from server.rewards.wheel import live_version_row
from server.rulesets.endpoints import DiffOut, DiffQuery, Problem, PublishBody
from server.schemas import Strict

api = Api()
EDITORS = [Role.COMMS, Role.ADMIN]
ACTIONS = ("wheel.publish", "wheel.rollback")


class WheelDraft(Strict):
    text: str = Field(max_length=256 * 1024)


class WheelCheck(BaseModel):
    ok: bool
    version: str
    problems: list[Problem]
    spin_value: float | None  # what one spin costs on average, in points


class WheelVersionOut(BaseModel):
    id: int
    version: str
    live: bool
    text: str


class WheelPublication(BaseModel):
    version_id: int
    version: str
    action: str  # publish | rollback
    by_id: int | None
    message: str
    at: datetime
    live: bool


class WheelHistory(BaseModel):
    publications: list[WheelPublication]


async def record_publication(actor_id: int, version: str, existed: bool, message: str) -> str:
    """Write the publication to the audit log: a version published before and not live
    until now is a roll-back. Returns publish or rollback."""
    row = await WheelVersion.get(version=version)
    action = "rollback" if existed else "publish"
    await audit.record(
        actor_id, f"wheel.{action}", f"wheel:{row.id}", {"version": version, "message": message}
    )
    return action


@api.route(
    "POST",
    "/api/admin/wheel/check",
    summary="Check a wheel file without publishing it",
    tags=["wheel"],
    body=WheelDraft,
    response=WheelCheck,
    roles=EDITORS,
)
async def wheel_check(ctx: Ctx, body: WheelDraft) -> WheelCheck:
    try:
        wheel = load_wheel(body.text)
    except RulesetInvalid as exc:
        problems = [Problem(line=p.line, column=p.column, message=p.message) for p in exc.problems]
        return WheelCheck(ok=False, version="", problems=problems, spin_value=None)
    return WheelCheck(
        ok=True, version=wheel.version, problems=[], spin_value=round(wheel.spin_value(), 2)
    )


async def _live_id() -> int | None:
    row = await live_version_row()
    return row.id if row else None


@api.route(
    "GET",
    "/api/admin/wheel",
    summary="The live wheel file",
    tags=["wheel"],
    response=WheelVersionOut,
    roles=EDITORS,
)
async def wheel_live(ctx: Ctx) -> WheelVersionOut:
    from server.rewards.wheel import live_wheel

    await live_wheel()  # publishes the shipped wheel when none was
    row = await live_version_row()
    assert row is not None
    return WheelVersionOut(id=row.id, version=row.version, live=True, text=row.text)


@api.route(
    "GET",
    "/api/admin/wheel/history",
    summary="Every wheel publication and roll-back with who and when, newest first",
    tags=["wheel"],
    response=WheelHistory,
    roles=EDITORS,
)
async def wheel_history(ctx: Ctx) -> WheelHistory:
    live_id = await _live_id()
    rows = {r.id: r for r in await WheelVersion.all()}
    entries = await AuditEntry.filter(action__in=ACTIONS).order_by("-seq")
    out: list[WheelPublication] = []
    logged: set[int] = set()
    for entry in entries:
        version_id = int(entry.target.removeprefix("wheel:"))
        row = rows.get(version_id)
        if row is None:
            continue
        logged.add(version_id)
        out.append(
            WheelPublication(
                version_id=version_id,
                version=row.version,
                action=entry.action.removeprefix("wheel."),
                by_id=entry.actor_id,
                message=str(entry.detail.get("message", "")),
                at=entry.at,
                live=False,
            )
        )
    for row in rows.values():
        if row.id not in logged:
            out.append(
                WheelPublication(
                    version_id=row.id,
                    version=row.version,
                    action="publish",
                    by_id=None,
                    message="",
                    at=row.published_at,
                    live=False,
                )
            )
    out.sort(key=lambda p: p.at, reverse=True)
    # The newest publication of the live version is what is live.
    for publication in out:
        if publication.version_id == live_id:
            publication.live = True
            break
    return WheelHistory(publications=out)


@api.route(
    "GET",
    "/api/admin/wheel/diff",
    summary="Unified diff of two wheel versions (?from=ID&to=ID)",
    tags=["wheel"],
    query=DiffQuery,
    response=DiffOut,
    roles=EDITORS,
)
async def wheel_diff(ctx: Ctx, query: DiffQuery) -> DiffOut:
    old = await WheelVersion.get_or_none(id=query.from_id)
    new = await WheelVersion.get_or_none(id=query.to_id)
    if old is None or new is None:
        raise not_found()
    text = "".join(
        difflib.unified_diff(
            old.text.splitlines(keepends=True),
            new.text.splitlines(keepends=True),
            fromfile=f"version {old.id} ({old.version[:12]})",
            tofile=f"version {new.id} ({new.version[:12]})",
        )
    )
    return DiffOut(diff=text)


@api.route(
    "GET",
    "/api/admin/wheel/versions/{id:int}",
    summary="One wheel version with its text",
    tags=["wheel"],
    response=WheelVersionOut,
    roles=EDITORS,
)
async def wheel_version(ctx: Ctx) -> WheelVersionOut:
    row = await WheelVersion.get_or_none(id=ctx.path_int("id"))
    if row is None:
        raise not_found()
    return WheelVersionOut(
        id=row.id, version=row.version, live=row.id == await _live_id(), text=row.text
    )


class Published(BaseModel):
    version: str
    action: str


@api.route(
    "POST",
    "/api/admin/wheel/versions/{id:int}/publish",
    summary="Publish an earlier wheel version again (a roll-back) with a message",
    tags=["wheel"],
    body=PublishBody,
    response=Published,
    roles=EDITORS,
)
async def wheel_publish_version(ctx: Ctx, body: PublishBody) -> Published:
    from server.rewards.wheel import publish_wheel

    row = await WheelVersion.get_or_none(id=ctx.path_int("id"))
    if row is None:
        raise not_found()
    was_live = row.id == await _live_id()
    await publish_wheel(row.text)
    action = await record_publication(ctx.me.id, row.version, not was_live, body.message)
    return Published(version=row.version, action=action)
