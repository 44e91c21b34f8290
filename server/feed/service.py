"""The home feed and the per-place post lists, as keyset pages.

A page is one SQL statement: for each stream I take (usually 5-50), an index seek on
`post(stream, id)` for the next `limit` ids below the cursor, merged by id. The cost grows
with the number of my streams and the page size, never with the table: at a million posts
it is the same as at a thousand. Channel posts are filtered by audience inside each seek.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.community.access import Viewer, audience_sql, my_streams
from server.community.sql import fetch, placeholders
from server.models import FeedMarker, Post

TOP = 2**31 - 1
MAX_PINNED = 10


@dataclass
class Page:
    posts: list[Post]  # pinned first (first page only), then newest first
    next_cursor: str | None
    marker: int  # the newest post id seen before this visit: newer ones are unread


def parse_cursor(cursor: str | None) -> tuple[int, int | None]:
    """`<before id>.<marker>`: the marker of the first page travels with the cursor."""
    if not cursor:
        return TOP, None
    try:
        before, marker = cursor.split(".", 1)
        return int(before), int(marker)
    except ValueError:
        return TOP, None


def _stream_select(
    viewer: Viewer, stream: str, before: int, limit: int, pins: bool
) -> tuple[str, list[object]]:
    sql = "SELECT p.id FROM post p WHERE p.stream = ? AND p.id < ? AND p.deleted_at IS NULL"
    if pins:  # pinned posts are on top of the first page, not again further down
        sql += " AND NOT p.pinned"
    values: list[object] = [stream, before]
    if stream.startswith("c:"):
        clause, extra = audience_sql(viewer)
        sql += f" AND {clause}"
        values += extra
    return f"{sql} ORDER BY p.id DESC LIMIT ?", [*values, limit]


async def stream_ids(
    viewer: Viewer, streams: list[str], before: int, limit: int, pins: bool = True
) -> list[int]:
    if not streams:
        return []
    parts, values = [], []
    for index, stream in enumerate(streams):
        sql, extra = _stream_select(viewer, stream, before, limit, pins)
        parts.append(f"SELECT * FROM ({sql}) AS s{index}")  # noqa: S608 - placeholders only
        values += extra
    query = " UNION ALL ".join(parts) + " ORDER BY id DESC LIMIT ?"
    rows = await fetch(query, [*values, limit])
    return [int(r["id"]) for r in rows]


async def pinned_ids(viewer: Viewer, streams: list[str]) -> list[int]:
    clause, extra = audience_sql(viewer)
    # `pinned = TRUE`, not `pinned`: an equality lets both databases use (pinned, stream)
    # instead of reading every post of every stream (measured: minutes vs milliseconds).
    rows = await fetch(
        f"SELECT p.id FROM post p WHERE p.pinned = TRUE AND p.deleted_at IS NULL "  # noqa: S608 - placeholders only
        f"AND p.stream IN ({placeholders(streams)}) "
        f"AND (p.channel_id IS NULL OR {clause}) ORDER BY p.pinned_at DESC LIMIT ?",
        [*streams, *extra, MAX_PINNED],
    )
    return [int(r["id"]) for r in rows]


async def _load(ids: list[int]) -> list[Post]:
    by_id = {p.id: p for p in await Post.filter(id__in=ids)}
    return [by_id[i] for i in ids if i in by_id]


async def page_of(
    viewer: Viewer, streams: list[str], cursor: str | None, limit: int, *, pins: bool
) -> Page:
    before, marker = parse_cursor(cursor)
    ids = await stream_ids(viewer, streams, before, limit + 1, pins)
    more = len(ids) > limit
    ids = ids[:limit]
    pinned = await pinned_ids(viewer, streams) if pins and cursor is None and streams else []
    known = marker if marker is not None else 0
    next_cursor = f"{ids[-1]}.{known}" if more and ids else None
    return Page(await _load(pinned + ids), next_cursor, known)


async def home_feed(viewer: Viewer, cursor: str | None, limit: int) -> Page:
    streams = await my_streams(viewer)
    page = await page_of(viewer, streams, cursor, limit, pins=True)
    if cursor is None:
        row = await FeedMarker.get_or_none(employee_id=viewer.id)
        page.marker = row.last_seen_id if row else 0
        if page.next_cursor:
            page.next_cursor = f"{page.next_cursor.split('.')[0]}.{page.marker}"
        newest = max((p.id for p in page.posts), default=0)
        if newest > page.marker:
            if row is None:
                await FeedMarker.create(employee_id=viewer.id, last_seen_id=newest)
            else:
                await FeedMarker.filter(employee_id=viewer.id).update(last_seen_id=newest)
    return page


async def banner_posts(viewer: Viewer) -> list[Post]:
    clause, extra = audience_sql(viewer)
    rows = await fetch(
        "SELECT p.id FROM post p WHERE p.pinned = TRUE AND p.banner = TRUE "  # noqa: S608 - placeholders only
        "AND p.deleted_at IS NULL "
        f"AND p.channel_id IS NOT NULL AND {clause} ORDER BY p.pinned_at DESC LIMIT ?",
        [*extra, MAX_PINNED],
    )
    return await _load([int(r["id"]) for r in rows])
