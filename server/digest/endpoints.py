"""The digest page."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pydantic import BaseModel

from server.api import Api, Ctx
from server.community.access import can_see_post, load_viewer
from server.digest.service import build_digest, digest_posts
from server.models import Digest
from server.posts.out import posts_out
from server.posts.schemas import PostOut
from server.schemas import Strict

api = Api()


class DigestQuery(Strict):
    day: date | None = None


class DigestOut(BaseModel):
    day: date
    items: list[PostOut]


@api.route("GET", "/api/digest", summary="The day's five most important posts", tags=["feed"],
           query=DigestQuery, response=DigestOut)  # fmt: skip
async def get_digest(ctx: Ctx, query: DigestQuery) -> DigestOut:
    zone = ctx.services.settings.zone
    day = query.day or datetime.now(UTC).astimezone(zone).date()
    digest = await Digest.get_or_none(day=day) or await build_digest(day, zone)
    viewer = await load_viewer(ctx.me)
    posts = [p for p in await digest_posts(digest) if await can_see_post(viewer, p)]
    return DigestOut(day=day, items=await posts_out(viewer, posts))
