"""Moderation over HTTP: reports (anyone), the queue and its actions, watched words and the
"test this text" box (moderators and admins)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.community.access import MODERATORS
from server.errors import ApiError
from server.models import ItemKind, ModerationCase, WatchedWord
from server.moderation import service
from server.moderation.words import Action, Entry, Kind, Matcher, PatternError, check_pattern
from server.posts.out import people
from server.posts.schemas import PersonRef
from server.schemas import Strict

api = Api()
TAGS = ["moderation"]
ROLES = sorted(MODERATORS)


class Ok(BaseModel):
    ok: bool = True


class ReportIn(Strict):
    kind: Literal["post", "comment", "message", "story"]
    id: int
    reason: str = Field(min_length=1, max_length=500)


@api.route("POST", "/api/reports", summary="Report a post, comment, chat message or story to "
           "the moderators, with a reason", tags=TAGS, body=ReportIn, response=Ok,
           status=201)  # fmt: skip
async def report(ctx: Ctx, body: ReportIn) -> Ok:
    await service.report(ctx.me, ItemKind(body.kind), body.id, body.reason)
    return Ok()


class ReportOut(BaseModel):
    reporter: PersonRef
    reason: str
    outcome: str | None
    created_at: datetime


class MatchedOut(BaseModel):
    entry_id: int
    pattern: str
    action: str
    text: str


class ModerationCaseOut(BaseModel):
    id: int
    kind: str  # post | comment | message | story
    target_id: int
    post_id: int | None
    chat_id: int | None
    author: PersonRef
    author_muted_until: datetime | None
    excerpt: str
    status: str  # open | held | hidden | deleted | resolved
    flags: int
    reports: list[ReportOut]
    priority: float
    matched: list[MatchedOut]
    warned: bool
    decided_by: PersonRef | None
    decided_at: datetime | None
    created_at: datetime


class ModerationCaseList(BaseModel):
    items: list[ModerationCaseOut]


class QueueQuery(Strict):
    state: Literal["open", "handled"] = "open"
    limit: int = Field(default=50, ge=1, le=200)


async def _cases_out(cases: list[ModerationCase]) -> list[ModerationCaseOut]:
    reports = await service.reports_of([c.id for c in cases])
    ids = {c.author_id for c in cases} | {c.decided_by_id or 0 for c in cases} - {0}
    ids |= {r.reporter_id for rows in reports.values() for r in rows}
    persons = await people(ids)
    mutes = await service.mutes_of([c.author_id for c in cases])
    return [
        ModerationCaseOut(
            id=c.id,
            kind=c.kind.value,
            target_id=c.target_id,
            post_id=c.post_id,
            chat_id=c.chat_id,
            author=persons[c.author_id],
            author_muted_until=mutes.get(c.author_id),
            excerpt=c.excerpt,
            status=c.status.value,
            flags=c.flags,
            reports=[
                ReportOut(
                    reporter=persons[r.reporter_id],
                    reason=r.reason,
                    outcome=r.outcome.value if r.outcome else None,
                    created_at=r.created_at,
                )
                for r in reports.get(c.id, [])
            ],
            priority=c.priority,
            matched=[MatchedOut(**m) for m in c.matched],
            warned=c.warned,
            decided_by=persons.get(c.decided_by_id or 0),
            decided_at=c.decided_at,
            created_at=c.created_at,
        )
        for c in cases
    ]


@api.route("GET", "/api/moderation/queue", summary="Reported and flagged items, the most "
           "urgent first (reports weighed by the reporters' past accuracy, flags, held items)",
           tags=TAGS, query=QueueQuery, response=ModerationCaseList, roles=ROLES)  # fmt: skip
async def queue(ctx: Ctx, query: QueueQuery) -> ModerationCaseList:
    return ModerationCaseList(items=await _cases_out(await service.queue(query.state, query.limit)))


class ActionIn(Strict):
    action: Literal["hide", "restore", "delete", "warn", "mute", "dismiss", "approve"]
    note: str = Field(default="", max_length=500)
    minutes: int | None = Field(default=None, ge=1, le=service.MAX_MUTE_MINUTES)


@api.route("POST", "/api/moderation/cases/{id:int}/actions", summary="Hide, restore, delete, "
           "warn the author, mute them for a time, dismiss or approve (the author is told)",
           tags=TAGS, body=ActionIn, response=ModerationCaseOut, roles=ROLES)  # fmt: skip
async def act(ctx: Ctx, body: ActionIn) -> ModerationCaseOut:
    case = await service.act(
        ctx.services, ctx.me, ctx.path_int("id"), body.action, body.note, body.minutes
    )
    return (await _cases_out([case]))[0]


class WordIn(Strict):
    pattern: str = Field(min_length=1, max_length=200)
    kind: Kind
    action: Action
    note: str = Field(default="", max_length=200)


class WordPatch(Strict):
    pattern: str | None = Field(default=None, min_length=1, max_length=200)
    action: Action | None = None
    note: str | None = Field(default=None, max_length=200)


class WordOut(BaseModel):
    id: int
    pattern: str
    kind: Kind
    action: Action
    note: str
    created_at: datetime


class WordList(BaseModel):
    items: list[WordOut]


def _word(w: WatchedWord) -> WordOut:
    return WordOut.model_validate(w, from_attributes=True)


async def _checked(pattern: str, kind: Kind) -> None:
    try:
        # The backtracking probe runs a child process: off the event loop.
        await asyncio.to_thread(check_pattern, pattern, kind)
    except PatternError as err:
        raise ApiError(
            422, "pattern_refused", detail_key=f"error.pattern_refused.{err.reason}"
        ) from err


@api.route("GET", "/api/moderation/words", summary="Watched words, phrases, wildcards and "
           "regular expressions", tags=TAGS, response=WordList, roles=ROLES)  # fmt: skip
async def words(ctx: Ctx) -> WordList:
    return WordList(items=[_word(w) for w in await WatchedWord.all().order_by("pattern")])


@api.route("POST", "/api/moderation/words", summary="Watch a word (a regular expression is "
           "refused if it backtracks catastrophically)", tags=TAGS, body=WordIn,
           response=WordOut, status=201, roles=ROLES)  # fmt: skip
async def add_word(ctx: Ctx, body: WordIn) -> WordOut:
    await _checked(body.pattern, body.kind)
    return _word(await service.add_word(ctx.me, body.pattern, body.kind, body.action, body.note))


@api.route("PATCH", "/api/moderation/words/{id:int}", summary="Change a watched word",
           tags=TAGS, body=WordPatch, response=WordOut, roles=ROLES)  # fmt: skip
async def change_word(ctx: Ctx, body: WordPatch) -> WordOut:
    changes = body.model_dump(exclude_none=True)
    if "pattern" in changes:
        current = await WatchedWord.get_or_none(id=ctx.path_int("id"))
        if current is not None:
            await _checked(changes["pattern"], Kind(current.kind))
    return _word(await service.change_word(ctx.me, ctx.path_int("id"), changes))


@api.route("DELETE", "/api/moderation/words/{id:int}", summary="Stop watching a word",
           tags=TAGS, response=Ok, roles=ROLES)  # fmt: skip
async def remove_word(ctx: Ctx) -> Ok:
    await service.remove_word(ctx.me, ctx.path_int("id"))
    return Ok()


class TestIn(Strict):
    text: str = Field(min_length=1, max_length=20000)
    # An entry not saved yet, tried together with the saved ones.
    pattern: str | None = Field(default=None, max_length=200)
    kind: Kind | None = None
    action: Action | None = None


class HitOut(BaseModel):
    entry_id: int  # 0: the entry being tried
    pattern: str
    kind: Kind
    action: Action
    start: int
    end: int
    text: str
    why: str  # "stem молотк", "stems good morn", "wildcard", "regex"


class TestOut(BaseModel):
    action: Action | None  # what would happen: the heaviest action of the hits
    hits: list[HitOut]
    shown: str  # the text as readers would see it (censored parts masked)


@api.route("POST", "/api/moderation/words/test", summary="What the watched words would do "
           "with a text, and why", tags=TAGS, body=TestIn, response=TestOut,
           roles=ROLES)  # fmt: skip
async def test_text(ctx: Ctx, body: TestIn) -> TestOut:
    matcher = await service.matcher()
    if body.pattern and body.kind and body.action:
        await _checked(body.pattern, body.kind)
        matcher = Matcher([*matcher.entries, Entry(0, body.pattern, body.kind, body.action)])
    found = service.Screen(body.text, matcher.check(body.text))
    return TestOut(
        action=found.action,
        hits=[
            HitOut(
                entry_id=h.entry.id,
                pattern=h.entry.pattern,
                kind=h.entry.kind,
                action=h.entry.action,
                start=h.start,
                end=h.end,
                text=h.text,
                why=h.why,
            )
            for h in found.hits
        ],
        shown=found.shown,
    )
