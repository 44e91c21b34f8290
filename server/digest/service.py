"""The daily digest: at most five posts of the day that everyone may see, ranked by what
comms pinned and by engagement."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from server.community.sql import fetch
from server.models import Digest, Post

SIZE = 5
# A pin by comms outweighs any engagement; a comment is worth more than a reaction, which
# is worth more than a view (a view costs nothing, a comment costs a minute).
PIN_WEIGHT, COMMENT_WEIGHT, REACTION_WEIGHT, VIEW_WEIGHT = 1000, 5, 3, 1


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC)
    return start, start + timedelta(days=1)


async def build_digest(day: date, zone: ZoneInfo) -> Digest:
    """The day's digest; one that comms edited keeps their choice."""
    kept = await Digest.get_or_none(day=day)
    if kept is not None and kept.edited_by_id is not None:
        return kept
    ids = await ranked(day, zone, SIZE)
    digest, created = await Digest.get_or_create(day=day, defaults={"post_ids": ids})
    if not created and digest.post_ids != ids and digest.edited_by_id is None:
        digest.post_ids = ids
        await digest.save(update_fields=["post_ids"])
    return digest


async def ranked(day: date, zone: ZoneInfo, limit: int) -> list[int]:
    """The day's posts everyone may see, most important first."""
    start, end = day_bounds(day, zone)
    rows = await fetch(
        "SELECT p.id FROM post p WHERE p.created_at >= ? AND p.created_at < ? "
        "AND p.deleted_at IS NULL AND ("
        "(p.channel_id IS NOT NULL AND p.audience_all) OR "
        "(p.group_id IN (SELECT id FROM community_group WHERE visibility = 'public')) OR "
        "(p.channel_id IS NULL AND p.group_id IS NULL)) "
        "ORDER BY (CASE WHEN p.pinned THEN ? ELSE 0 END) + p.comment_count * ? "
        "+ p.reaction_count * ? + p.view_count * ? DESC, p.id DESC LIMIT ?",
        [start, end, PIN_WEIGHT, COMMENT_WEIGHT, REACTION_WEIGHT, VIEW_WEIGHT, limit],
    )
    return [int(r["id"]) for r in rows]


async def digest_posts(digest: Digest) -> list[Post]:
    found = {p.id: p for p in await Post.filter(id__in=digest.post_ids, deleted_at=None)}
    return [found[i] for i in digest.post_ids if i in found]


def title_of(post: Post, width: int = 90) -> str:
    line = next((s.strip() for s in post.body.splitlines() if s.strip()), "")
    line = line.lstrip("#>*- ").strip()
    return line if len(line) <= width else line[: width - 1] + "…"
