"""The home feed served from this process's read caches (`server/caching.py`).

A feed page is the newest posts of my streams (my channels, groups, followed blogs, my own
blog). Three things are cached, each dropped the moment it changes:

- the reader: my viewer (groups, audience tokens, streams), my unread marker and the posts
  I confirmed reading;
- each stream's head: its newest `HEAD` posts (id, author, audience) and its pinned posts;
- each post's card: the post as every reader sees it (`server/posts/out.py:Card`).

A page is then merged in memory: for each of my streams the newest posts below the cursor
that my audience tokens admit (the same rule as `access.audience_sql`). When a stream's
head runs out before the page is full, the database answers instead (`service.home_feed`),
so deep pages cost what they cost before and the first pages cost no database round trip.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import orjson
from starlette.responses import Response

from server.caching import Cache, ReadCaches, invalidate
from server.community.access import Viewer, viewer_from_rows, viewer_query
from server.community.sql import fetch, placeholders
from server.feed.service import MAX_PINNED, move_marker, parse_cursor
from server.models import Employee, Post
from server.posts.out import Card, load_cards, render_json
from server.services import Services

HEAD = 100  # newest posts kept per stream: five pages of 20


@dataclass(frozen=True)
class Entry:
    """What decides whether a post is on my page: its id, author and audience."""

    id: int
    author_id: int
    audience: frozenset[str] | None  # None: every reader of the stream


@dataclass(frozen=True)
class Head:
    posts: tuple[Entry, ...]  # newest first; neither pinned nor deleted
    complete: bool  # these are all of the stream's posts
    pinned: tuple[tuple[datetime, Entry], ...]
    # Negated ids, ascending (for bisect), when no post here has an audience of its own:
    # then every reader of the stream sees every post, and a page is a slice.
    open_keys: tuple[int, ...] | None = None

    @classmethod
    def of(
        cls, posts: Sequence[Entry], complete: bool, pinned: Sequence[tuple[datetime, Entry]]
    ) -> Head:
        open_keys = None
        if all(e.audience is None for e in posts):
            open_keys = tuple(-e.id for e in posts)
        return cls(tuple(posts), complete, tuple(pinned), open_keys)


@dataclass(frozen=True)
class Reader:
    viewer: Viewer
    marker: int | None  # None: no marker row yet
    confirmed: frozenset[int]  # posts I confirmed reading


def admits(viewer: Viewer, entry: Entry) -> bool:
    """`access.audience_sql` in memory: everyone, the author, staff, or a shared token."""
    return (
        entry.audience is None
        or entry.author_id == viewer.id
        or viewer.sees_all_channels
        or not entry.audience.isdisjoint(viewer.tokens)
    )


def page_ids(viewer: Viewer, heads: Iterable[Head], before: int, want: int) -> list[int] | None:
    """The newest `want` ids below `before` across the heads that the viewer may see, or
    None when a head ran out so early that the page may lack older posts it does not hold."""
    found: list[int] = []
    floor = 0  # posts older than this may be missing from the heads
    for head in heads:
        if head.open_keys is not None:  # the common case: no audiences, a slice
            start = bisect.bisect_right(head.open_keys, -before)
            chunk = head.open_keys[start : start + want]
            found.extend(-k for k in chunk)
            if len(chunk) < want and not head.complete and head.posts:
                floor = max(floor, head.posts[-1].id)
            continue
        taken = 0
        for entry in head.posts:
            if entry.id < before and admits(viewer, entry):
                found.append(entry.id)
                taken += 1
                if taken == want:
                    break
        else:
            if not head.complete and head.posts:
                floor = max(floor, head.posts[-1].id)
    found.sort(reverse=True)
    page = found[:want]
    if floor and (len(page) < want or page[-1] < floor):
        return None
    return page


def pinned_ids(viewer: Viewer, heads: Iterable[Head]) -> list[int]:
    pins = [(at, e.id) for head in heads for at, e in head.pinned if admits(viewer, e)]
    pins.sort(reverse=True)
    return [post_id for _, post_id in pins[:MAX_PINNED]]


# -- loading what is not cached ----------------------------------------------------------

_READER_EXTRA = (
    " UNION ALL SELECT 'm', last_seen_id, 0 FROM feed_marker WHERE employee_id = ?"
    " UNION ALL SELECT 'f', post_id, 0 FROM read_confirmation WHERE employee_id = ?"
)


async def reader(cache: Cache[int, Reader], employee: Employee) -> Reader:
    found = cache.get(employee.id)
    if found is not None:
        return found
    started = cache.begin()
    sql, values = viewer_query(employee, with_streams=True)
    rows = await fetch(sql + _READER_EXTRA, [*values, employee.id, employee.id])
    marker = next((int(r["a"]) for r in rows if r["k"] == "m"), None)
    confirmed = frozenset(int(r["a"]) for r in rows if r["k"] == "f")
    found = Reader(viewer_from_rows(employee, rows, with_streams=True), marker, confirmed)
    cache.put(employee.id, found, started)
    return found


def _moment(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


async def heads(cache: Cache[str, Head], streams: Sequence[str]) -> list[Head]:
    """The heads of these streams, the missing ones read in one statement (and one more for
    the audiences of targeted posts, when there are any)."""
    found = cache.get_many(streams)
    missing = [s for s in streams if s not in found]
    if not missing:
        return [found[s] for s in streams]
    started = cache.begin()
    columns = "p.id, p.stream, p.author_id, p.audience_all, p.channel_id, p.pinned_at"
    parts = [
        f"SELECT * FROM (SELECT {columns}, 0 AS pin FROM post p WHERE p.stream = ? "  # noqa: S608 - placeholders only
        f"AND p.deleted_at IS NULL AND NOT p.pinned ORDER BY p.id DESC LIMIT ?) AS h{index}"
        for index in range(len(missing))
    ]
    parts.append(
        f"SELECT {columns}, 1 FROM post p WHERE p.pinned = TRUE AND p.deleted_at IS NULL "  # noqa: S608 - placeholders only
        f"AND p.stream IN ({placeholders(missing)})"
    )
    values: list[object] = [v for s in missing for v in (s, HEAD + 1)]
    values += missing
    rows = await fetch(" UNION ALL ".join(parts), values)
    targeted = [int(r["id"]) for r in rows if r["channel_id"] is not None and not r["audience_all"]]
    tokens: dict[int, set[str]] = {i: set() for i in targeted}
    if targeted:
        for row in await fetch(
            f"SELECT post_id, token FROM post_audience WHERE post_id IN ({placeholders(targeted)})",  # noqa: S608 - placeholders only
            targeted,
        ):
            tokens[int(row["post_id"])].add(str(row["token"]))
    posts: dict[str, list[Entry]] = {s: [] for s in missing}
    pinned: dict[str, list[tuple[datetime, Entry]]] = {s: [] for s in missing}
    for row in rows:
        post_id = int(row["id"])
        audience = frozenset(tokens[post_id]) if post_id in tokens else None
        entry = Entry(post_id, int(row["author_id"]), audience)
        if row["pin"]:
            pinned[row["stream"]].append((_moment(row["pinned_at"]), entry))
        else:
            posts[row["stream"]].append(entry)
    for stream in missing:
        newest = sorted(posts[stream], key=lambda e: e.id, reverse=True)
        head = Head.of(newest[:HEAD], len(newest) <= HEAD, pinned[stream])
        cache.put(stream, head, started)
        found[stream] = head
    return [found[s] for s in streams]


async def cards(cache: Cache[int, Card], ids: Sequence[int]) -> dict[int, Card]:
    found = cache.get_many(ids)
    missing = [i for i in ids if i not in found]
    if missing:
        started = cache.begin()
        loaded = await load_cards(await Post.filter(id__in=missing, deleted_at=None))
        for post_id, card in loaded.items():
            cache.put(post_id, card, started)
        found.update(loaded)
    return found


# -- the page ----------------------------------------------------------------------------


async def home_page(
    services: Services, employee: Employee, cursor: str | None, limit: int
) -> Response | None:
    """The page as JSON (the shape of `endpoints.FeedPage`), or None when the caches cannot
    answer it (not live yet, or a page deeper than the streams' heads)."""
    caches: ReadCaches | None = services.caches
    if caches is None or not caches.viewers.enabled:
        return None
    me = await reader(caches.viewers, employee)
    viewer = me.viewer
    streams = await heads(caches.streams, viewer.streams or ())
    before, carried = parse_cursor(cursor)
    ids = page_ids(viewer, streams, before, limit + 1)
    if ids is None:
        return None
    first = cursor is None
    pins = pinned_ids(viewer, streams) if first else []
    more = len(ids) > limit
    ids = ids[:limit]
    known = (me.marker or 0) if first else (carried or 0)
    shown = pins + ids  # disjoint: heads hold no pinned posts
    found = await cards(caches.cards, shown)
    items = b",".join(
        render_json(viewer, found[i], known, i in me.confirmed) for i in shown if i in found
    )
    tail = {"next_cursor": f"{ids[-1]}.{known}" if more and ids else None, "last_seen_id": known}
    body = b'{"items":[' + items + b"]," + orjson.dumps(tail)[1:]
    if first:
        await _move_marker(services, caches.viewers, me, max(shown, default=0))
    return Response(body, media_type="application/json")


async def _move_marker(
    services: Services, cache: Cache[int, Reader], me: Reader, newest: int
) -> None:
    """What I have now seen is no longer new on my next visit, on any process."""
    if newest <= (me.marker or 0):
        return
    await move_marker(me.viewer.id, newest)
    await invalidate(services.redis, services.keys, viewers=[me.viewer.id])
    cache.store(me.viewer.id, replace(me, marker=newest))
