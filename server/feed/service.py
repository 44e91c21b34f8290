"""The home feed and the per-place post lists, as keyset pages.

A page is one SQL statement: for each stream I take (usually 5-50), an index seek on
`post(stream, id)` for the next `limit` ids below the cursor, merged by id. The cost grows
with the number of my streams and the page size, never with the table: at a million posts
it is the same as at a thousand. Channel posts are filtered by audience inside each seek.
"""

from __future__ import annotations

from dataclasses import dataclass

from server.community.access import Viewer, audience_sql, my_streams
from server.community.sql import fetch, is_postgres, placeholders
from server.models import Post

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


def _stream_ids_sql(
    viewer: Viewer, streams: list[str], before: int, limit: int, pins: bool
) -> tuple[str, list[object]]:
    parts, values = [], []
    for index, stream in enumerate(streams):
        sql, extra = _stream_select(viewer, stream, before, limit, pins)
        parts.append(f"SELECT * FROM ({sql}) AS s{index}")  # noqa: S608 - placeholders only
        values += extra
    return " UNION ALL ".join(parts) + " ORDER BY id DESC LIMIT ?", [*values, limit]


def _pinned_sql(viewer: Viewer, streams: list[str]) -> tuple[str, list[object]]:
    clause, extra = audience_sql(viewer)
    # `pinned = TRUE`, not `pinned`: an equality lets both databases use (pinned, stream)
    # instead of reading every post of every stream (measured: minutes vs milliseconds).
    return (
        f"SELECT p.id, p.pinned_at FROM post p WHERE p.pinned = TRUE AND p.deleted_at IS NULL "  # noqa: S608 - placeholders only
        f"AND p.stream IN ({placeholders(streams)}) "
        f"AND (p.channel_id IS NULL OR {clause}) ORDER BY p.pinned_at DESC LIMIT ?",
        [*streams, *extra, MAX_PINNED],
    )


async def _page_ids(
    viewer: Viewer,
    streams: list[str],
    before: int,
    limit: int,
    pins: bool,
    *,
    with_pinned: bool,
    marker: bool,
) -> tuple[list[int], list[int], int | None, dict[int, Post]]:
    """The page's ids, the pinned ids, (if asked) my feed marker, and the posts themselves in
    one round trip: on a loaded machine each statement costs more in the Python client (and
    the loopback socket) than in the database. Rows are (page_k, page_v, page_o, post.*):
    page_k says which part a row belongs to, page_o orders the pinned ones."""
    parts: list[str] = []
    values: list[object] = []
    if streams:
        sql, extra = _stream_ids_sql(viewer, streams, before, limit, pins)
        parts.append(f"SELECT 's' AS k, id AS v, 0 AS o FROM ({sql}) AS ids")  # noqa: S608 - placeholders only
        values += extra
        if with_pinned:
            sql, extra = _pinned_sql(viewer, streams)
            parts.append(
                "SELECT 'p', id, ROW_NUMBER() OVER (ORDER BY pinned_at DESC) "  # noqa: S608 - placeholders only
                f"FROM ({sql}) AS pins"
            )
            values += extra
    if marker:
        parts.append("SELECT 'm', last_seen_id, 0 FROM feed_marker WHERE employee_id = ?")
        values.append(viewer.id)
    if not parts:
        return [], [], None, {}
    sql = (
        "SELECT x.k AS page_k, x.v AS page_v, x.o AS page_o, p.* "  # noqa: S608 - placeholders only
        f"FROM ({' UNION ALL '.join(parts)}) AS x LEFT JOIN post p ON p.id = x.v AND x.k <> 'm'"
    )
    ids: list[int] = []
    pinned: list[tuple[int, int]] = []
    seen: int | None = None
    posts: dict[int, Post] = {}
    for row in await fetch(sql, values):
        kind, value, order = row.pop("page_k"), int(row.pop("page_v")), row.pop("page_o")
        if kind == "m":
            seen = value
            continue
        if kind == "s":
            ids.append(value)
        else:
            pinned.append((int(order), value))
        if row["id"] is not None:
            posts[value] = Post._init_from_db(**row)
    ids.sort(reverse=True)
    return ids, [i for _, i in sorted(pinned)], seen, posts


async def _load(ids: list[int]) -> list[Post]:
    by_id = {p.id: p for p in await Post.filter(id__in=ids)} if ids else {}
    return [by_id[i] for i in ids if i in by_id]


async def _page(
    viewer: Viewer, streams: list[str], cursor: str | None, limit: int, pins: bool, home: bool
) -> Page:
    before, marker = parse_cursor(cursor)
    first = cursor is None
    ids, pinned, seen, posts = await _page_ids(
        viewer, streams, before, limit + 1, pins, with_pinned=pins and first, marker=home and first
    )
    more = len(ids) > limit
    ids = ids[:limit]
    known = marker if marker is not None else 0
    if home and first:
        known = seen or 0
    next_cursor = f"{ids[-1]}.{known}" if more and ids else None
    page = [posts[i] for i in pinned + ids if i in posts]
    return Page(page, next_cursor, known)


async def page_of(
    viewer: Viewer, streams: list[str], cursor: str | None, limit: int, *, pins: bool
) -> Page:
    page = await _page(viewer, streams, cursor, limit, pins, home=False)
    return page


async def home_feed(viewer: Viewer, cursor: str | None, limit: int) -> Page:
    streams = await my_streams(viewer)
    page = await _page(viewer, streams, cursor, limit, True, home=True)
    if cursor is None:
        newest = max((p.id for p in page.posts), default=0)
        if newest > page.marker:
            await move_marker(viewer.id, newest)
    return page


async def move_marker(employee_id: int, newest: int) -> None:
    """One statement, never backwards: two tabs opening the feed at once both write it."""
    larger = "GREATEST" if is_postgres() else "MAX"
    await fetch(
        "INSERT INTO feed_marker (employee_id, last_seen_id) VALUES (?, ?) "  # noqa: S608 - no values
        "ON CONFLICT (employee_id) DO UPDATE SET last_seen_id = "
        f"{larger}(feed_marker.last_seen_id, excluded.last_seen_id)",
        [employee_id, newest],
    )


async def banner_posts(viewer: Viewer) -> list[Post]:
    clause, extra = audience_sql(viewer)
    rows = await fetch(
        "SELECT p.id FROM post p WHERE p.pinned = TRUE AND p.banner = TRUE "  # noqa: S608 - placeholders only
        "AND p.deleted_at IS NULL "
        f"AND p.channel_id IS NOT NULL AND {clause} ORDER BY p.pinned_at DESC LIMIT ?",
        [*extra, MAX_PINNED],
    )
    return await _load([int(r["id"]) for r in rows])
