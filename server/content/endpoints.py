"""Content tools over HTTP (comms and admins): pinned posts, the digest's editing,
read-confirmation statistics and the reminder, scheduled posts."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.community.access import CHANNEL_EDITORS, can_see_post, load_viewer, visible_post
from server.content import service
from server.digest.service import SIZE, build_digest, digest_posts
from server.models import ConfirmationReminder, Digest, Post, ScheduledPost
from server.posts.out import people, posts_out
from server.posts.schemas import MAX_BODY, PersonRef, PostOut
from server.schemas import Strict

api = Api()
TAGS = ["content"]
EDITORS = sorted(CHANNEL_EDITORS)


class PostList(BaseModel):
    items: list[PostOut]


@api.route("GET", "/api/content/pinned", summary="Every pinned post and banner (comms)",
           tags=TAGS, response=PostList, roles=EDITORS)  # fmt: skip
async def content_pinned(ctx: Ctx) -> PostList:
    viewer = await load_viewer(ctx.me)
    return PostList(items=await posts_out(viewer, await service.pinned_posts()))


# --- the digest -------------------------------------------------------------------------


class DigestDayQuery(Strict):
    day: date | None = None


class DigestEditorOut(BaseModel):
    day: date
    limit: int  # at most this many posts a day
    edited: bool  # comms chose the posts (the daily job keeps them)
    edited_by: PersonRef | None
    edited_at: datetime | None
    items: list[PostOut]  # the digest, in its order
    candidates: list[PostOut]  # the day's posts everyone sees, most important first


async def _editor(ctx: Ctx, day: date) -> DigestEditorOut:
    zone = ctx.services.settings.zone
    digest = await Digest.get_or_none(day=day) or await build_digest(day, zone)
    viewer = await load_viewer(ctx.me)
    chosen = await digest_posts(digest)
    ids = await service.digest_candidates(day, ctx.services)
    found = {p.id: p for p in await Post.filter(id__in=ids)}
    candidates = [found[i] for i in ids if i in found]
    editor_id = digest.edited_by_id
    editor = (await people({editor_id})).get(editor_id) if editor_id is not None else None
    return DigestEditorOut(
        day=day,
        limit=SIZE,
        edited=digest.edited_by_id is not None,
        edited_by=editor,
        edited_at=digest.edited_at,
        items=await posts_out(viewer, [p for p in chosen if await can_see_post(viewer, p)]),
        candidates=await posts_out(viewer, candidates),
    )


def _today(ctx: Ctx) -> date:
    return datetime.now(UTC).astimezone(ctx.services.settings.zone).date()


@api.route("GET", "/api/content/digest",
           summary="A day's digest as comms edit it, with the day's candidates (comms)",
           tags=TAGS, query=DigestDayQuery, response=DigestEditorOut, roles=EDITORS)  # fmt: skip
async def content_digest_editor(ctx: Ctx, query: DigestDayQuery) -> DigestEditorOut:
    return await _editor(ctx, query.day or _today(ctx))


class DigestEdit(Strict):
    day: date
    # More than the limit is refused with its own message, not a bare validation error.
    post_ids: list[int] = Field(max_length=50)


@api.route("PUT", "/api/content/digest",
           summary="Choose, order or remove a day's digest posts (at most five; comms)",
           tags=TAGS, body=DigestEdit, response=DigestEditorOut, roles=EDITORS)  # fmt: skip
async def content_edit_digest(ctx: Ctx, body: DigestEdit) -> DigestEditorOut:
    await service.edit_digest(ctx.me, body.day, body.post_ids)
    return await _editor(ctx, body.day)


# --- read confirmations -----------------------------------------------------------------


class ConfirmationSummary(BaseModel):
    post: PostOut
    audience: int
    confirmed: int
    reminded_at: datetime | None


class ConfirmationSummaries(BaseModel):
    items: list[ConfirmationSummary]


@api.route("GET", "/api/content/confirmations",
           summary="Posts that require a read confirmation, with their progress (comms)",
           tags=TAGS, response=ConfirmationSummaries, roles=EDITORS)  # fmt: skip
async def content_confirmations(ctx: Ctx) -> ConfirmationSummaries:
    viewer = await load_viewer(ctx.me)
    found = await service.confirmation_posts()
    outs = await posts_out(viewer, found)
    reminders = {
        r.post_id: r.sent_at
        for r in await ConfirmationReminder.filter(post_id__in=[p.id for p in found])
    }
    items = []
    for post, out in zip(found, outs, strict=True):
        readers, confirmed = await service.confirmation_counts(post)
        items.append(
            ConfirmationSummary(
                post=out,
                audience=len(readers),
                confirmed=len(confirmed),
                reminded_at=reminders.get(post.id),
            )
        )
    return ConfirmationSummaries(items=items)


class GroupRow(BaseModel):
    id: int | None  # none: people without a store (or department)
    name: str
    audience: int
    confirmed: int


class ConfirmationStats(BaseModel):
    post: PostOut
    audience: int
    confirmed: int
    by_store: list[GroupRow]
    by_department: list[GroupRow]
    reminded_at: datetime | None
    reminded: int  # how many the reminder went to


@api.route("GET", "/api/content/confirmations/{id:int}",
           summary="A post's read confirmations per store and department (comms)",
           tags=TAGS, response=ConfirmationStats, roles=EDITORS)  # fmt: skip
async def content_confirmation_stats(ctx: Ctx) -> ConfirmationStats:
    viewer = await load_viewer(ctx.me)
    post = await visible_post(viewer, ctx.path_int("id"))
    stats: dict[str, Any] = await service.breakdown(post)
    stats.pop("post_id")
    return ConfirmationStats(post=(await posts_out(viewer, [post]))[0], **stats)


class RemindOut(BaseModel):
    recipients: int


@api.route("POST", "/api/posts/{id:int}/remind",
           summary="Remind, once, everyone who has not confirmed reading (comms, the author)",
           tags=["posts"], response=RemindOut)  # fmt: skip
async def content_remind(ctx: Ctx) -> RemindOut:
    viewer = await load_viewer(ctx.me)
    return RemindOut(recipients=await service.remind(ctx.services, viewer, ctx.path_int("id")))


# --- scheduled posts --------------------------------------------------------------------


class ScheduledIn(Strict):
    body: str = Field(min_length=1, max_length=MAX_BODY)
    channel_id: int
    audience: list[str] | None = Field(default=None, max_length=200)
    banner: bool = False
    needs_confirmation: bool = False
    publish_at: datetime


class ScheduledEdit(Strict):
    body: str | None = Field(default=None, min_length=1, max_length=MAX_BODY)
    channel_id: int | None = None
    audience: list[str] | None = Field(default=None, max_length=200)
    banner: bool | None = None
    needs_confirmation: bool | None = None
    publish_at: datetime | None = None


class ScheduledOut(BaseModel):
    id: int
    author: PersonRef
    body: str
    channel_id: int | None
    audience: list[str]
    banner: bool
    needs_confirmation: bool
    publish_at: datetime
    state: str  # scheduled | published | cancelled
    post_id: int | None
    error: str


class ScheduledList(BaseModel):
    timezone: str  # the company's: the times are chosen on its clock
    items: list[ScheduledOut]


async def _scheduled_out(rows: list[ScheduledPost]) -> list[ScheduledOut]:
    persons = await people({r.author_id for r in rows})
    return [
        ScheduledOut(
            id=r.id,
            author=persons[r.author_id],
            body=str(r.payload.get("body", "")),
            channel_id=r.payload.get("channel_id"),
            audience=list(r.payload.get("audience") or []),
            banner=bool(r.payload.get("banner")),
            needs_confirmation=bool(r.payload.get("needs_confirmation")),
            publish_at=r.publish_at,
            state=r.state.value,
            post_id=r.post_id,
            error=r.error,
        )
        for r in rows
    ]


@api.route("GET", "/api/scheduled",
           summary="Scheduled posts: waiting first (soonest first), then the latest done (comms)",
           tags=TAGS, response=ScheduledList, roles=EDITORS)  # fmt: skip
async def content_list_scheduled(ctx: Ctx) -> ScheduledList:
    waiting = await ScheduledPost.filter(state="scheduled").order_by("publish_at", "id")
    done = await ScheduledPost.exclude(state="scheduled").order_by("-updated_at").limit(20)
    return ScheduledList(
        timezone=ctx.services.settings.timezone, items=await _scheduled_out([*waiting, *done])
    )


def _payload(body: BaseModel) -> dict[str, Any]:
    fields = body.model_dump(include=set(service.EDITABLE))
    return {k: v for k, v in fields.items() if v is not None or k == "audience"}


@api.route("POST", "/api/scheduled", summary="Write a channel post now, publish it later (comms)",
           tags=TAGS, body=ScheduledIn, response=ScheduledOut, status=201,
           roles=EDITORS)  # fmt: skip
async def content_create_scheduled(ctx: Ctx, body: ScheduledIn) -> ScheduledOut:
    viewer = await load_viewer(ctx.me)
    row = await service.schedule(viewer, _payload(body), body.publish_at)
    return (await _scheduled_out([row]))[0]


@api.route("PATCH", "/api/scheduled/{id:int}",
           summary="Change a scheduled post or its time before it is published (comms)",
           tags=TAGS, body=ScheduledEdit, response=ScheduledOut, roles=EDITORS)  # fmt: skip
async def content_edit_scheduled(ctx: Ctx, body: ScheduledEdit) -> ScheduledOut:
    viewer = await load_viewer(ctx.me)
    row = await ScheduledPost.get_or_none(id=ctx.path_int("id"))
    payload = None
    changed = body.model_dump(include=set(service.EDITABLE), exclude_unset=True)
    if row is not None and changed:
        payload = {**row.payload, **changed}
    row = await service.reschedule(viewer, ctx.path_int("id"), payload, body.publish_at)
    return (await _scheduled_out([row]))[0]


@api.route("DELETE", "/api/scheduled/{id:int}",
           summary="Cancel a scheduled post before it is published (comms)",
           tags=TAGS, response=ScheduledOut, roles=EDITORS)  # fmt: skip
async def content_cancel_scheduled(ctx: Ctx) -> ScheduledOut:
    viewer = await load_viewer(ctx.me)
    row = await service.cancel(viewer, ctx.path_int("id"))
    return (await _scheduled_out([row]))[0]
