"""Posts as the API shows them, built for a whole page at once (a fixed number of queries
per page, not per post)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from server.community.access import Viewer, can_moderate_post
from server.community.sql import fetch, placeholders
from server.models import (
    Employee,
    Post,
)
from server.posts.schemas import AttachmentOut, PersonRef, PostOut
from server.schemas import Ref


def person_ref(employee: Employee) -> PersonRef:
    return PersonRef(
        id=employee.id,
        name=employee.name,
        position=employee.position,
        avatar_url=f"/api/employees/{employee.id}/avatar" if employee.avatar_path else None,
    )


async def people(ids: set[int]) -> dict[int, PersonRef]:
    if not ids:
        return {}
    return {e.id: person_ref(e) for e in await Employee.filter(id__in=list(ids))}


# Everything a page of posts shows besides the posts, as one statement of (k, i1, i2, i3, t1,
# t2) rows; `{}` takes the placeholders of the part's ids. At 20 posts, the seven ORM queries
# this replaces cost ~4 ms of Python per page.
_PARTS = {
    "e": "SELECT 'e' AS k, id AS i1, NULL AS i2, CASE WHEN avatar_path IS NULL OR avatar_path = "
    "'' THEN 0 ELSE 1 END AS i3, name AS t1, position AS t2 FROM employee WHERE id IN ({})",
    "r": "SELECT 'r', post_id, employee_id, NULL, emoji, NULL FROM reaction WHERE post_id IN ({})",
    "t": "SELECT 't', id, post_id, size, name, media_type FROM attachment WHERE post_id IN ({})",
    "p": "SELECT 'p', post_id, id, NULL, NULL, NULL FROM poll WHERE post_id IN ({})",
    "c": "SELECT 'c', id, NULL, NULL, name, NULL FROM channel WHERE id IN ({})",
    "g": "SELECT 'g', id, NULL, NULL, name, NULL FROM community_group WHERE id IN ({})",
    "a": "SELECT 'a', post_id, NULL, NULL, token, NULL FROM post_audience WHERE post_id IN ({})",
}


def _page_sql(posts: Sequence[Post]) -> tuple[str, list[object]]:
    ids = [p.id for p in posts]
    wanted: dict[str, list[int]] = {
        "e": sorted({p.author_id for p in posts} | {p.kudos_to_id or 0 for p in posts} - {0}),
        "r": ids,
        "t": ids,
        "p": ids,
        "c": sorted({p.channel_id for p in posts if p.channel_id}),
        "g": sorted({p.group_id for p in posts if p.group_id}),
        "a": [p.id for p in posts if not p.audience_all],
    }
    parts: list[str] = []
    values: list[object] = []
    for kind, keys in wanted.items():
        if keys:
            parts.append(_PARTS[kind].format(placeholders(keys)))
            values += keys
    return " UNION ALL ".join(parts), values


# The reader's own fields of `PostOut`, filled in by `render_json`.
_READER_FIELDS = ("my_reactions", "confirmed", "unread", "can_moderate")


@dataclass(frozen=True, slots=True)
class Card:
    """A post as every reader sees it: `PostOut` as JSON, open at the end for the reader's
    own fields (`render_json`), and what those are computed from. The home feed keeps cards
    in its cache (`server/feed/cached.py`): bytes, because a page is then joined rather than
    serialised, and because a hundred thousand cached dicts would be millions of objects
    for the garbage collector to walk. A change of the post drops its card."""

    id: int
    author_id: int
    channel_id: int | None
    group_id: int | None
    json: bytes  # '{"id":1,...' without the reader's fields and the closing brace
    # Tuples, not lists or sets: tuples of numbers and strings are untracked by the
    # garbage collector, and a process caches tens of thousands of cards.
    reactors: dict[int, tuple[str, ...]]  # who reacted, with which emoji
    people: tuple[int, ...]  # whose name and avatar it shows (the author, the thanked)


async def load_cards(posts: Sequence[Post]) -> dict[int, Card]:
    """Everything a page of posts shows besides the posts, in one statement."""
    if not posts:
        return {}
    persons: dict[int, PersonRef] = {}
    channels: dict[int, Ref] = {}
    groups: dict[int, Ref] = {}
    counts: dict[int, dict[str, int]] = {}
    reactors: dict[int, dict[int, list[str]]] = {}
    audiences: dict[int, list[str]] = {}
    attachments: list[tuple[int, int, AttachmentOut]] = []
    polls: dict[int, int] = {}
    sql, values = _page_sql(posts)
    for row in await fetch(sql, values):
        kind, i1, i2, t1 = row["k"], int(row["i1"]), row["i2"], row["t1"]
        if kind == "e":
            persons[i1] = PersonRef(
                id=i1,
                name=t1,
                position=row["t2"],
                avatar_url=f"/api/employees/{i1}/avatar" if row["i3"] else None,
            )
        elif kind == "r":
            by_emoji = counts.setdefault(i1, {})
            by_emoji[t1] = by_emoji.get(t1, 0) + 1
            reactors.setdefault(i1, {}).setdefault(int(i2), []).append(t1)
        elif kind == "t":
            out = AttachmentOut(
                id=i1, name=t1, media_type=row["t2"], size=row["i3"], url=f"/api/attachments/{i1}"
            )
            attachments.append((i1, int(i2), out))
        elif kind == "p":
            polls[i1] = int(i2)
        elif kind == "c":
            channels[i1] = Ref(id=i1, name=t1)
        elif kind == "g":
            groups[i1] = Ref(id=i1, name=t1)
        else:
            audiences.setdefault(i1, []).append(t1)
    files: dict[int, list[AttachmentOut]] = {}
    for _, post_id, attachment in sorted(attachments, key=lambda t: t[0]):
        files.setdefault(post_id, []).append(attachment)
    cards = {}
    for p in posts:
        base = PostOut(
            id=p.id,
            kind=p.kind.value,
            author=persons[p.author_id],
            channel=channels.get(p.channel_id or 0),
            group=groups.get(p.group_id or 0),
            kudos_to=persons.get(p.kudos_to_id or 0),
            body=p.body,
            html=p.html,
            audience=sorted(audiences.get(p.id, [])),
            pinned=p.pinned,
            banner=p.banner,
            needs_confirmation=p.needs_confirmation,
            confirmed=False,
            comment_count=p.comment_count,
            reaction_count=p.reaction_count,
            reactions=counts.get(p.id, {}),
            my_reactions=[],
            view_count=p.view_count,
            attachments=files.get(p.id, []),
            poll_id=polls.get(p.id),
            created_at=p.created_at,
            edited_at=p.edited_at,
            unread=False,
            can_moderate=False,
        ).model_dump(mode="json", exclude=set(_READER_FIELDS))
        cards[p.id] = Card(
            id=p.id,
            author_id=p.author_id,
            channel_id=p.channel_id,
            group_id=p.group_id,
            json=orjson.dumps(base)[:-1],
            reactors={k: tuple(v) for k, v in reactors.get(p.id, {}).items()},
            people=(p.author_id, p.kudos_to_id or p.author_id),
        )
    return cards


async def confirmed_by(employee_id: int, post_ids: Sequence[int]) -> set[int]:
    """Which of these posts the employee has confirmed reading."""
    if not post_ids:
        return set()
    rows = await fetch(
        f"SELECT post_id FROM read_confirmation WHERE employee_id = ? "  # noqa: S608 - placeholders only
        f"AND post_id IN ({placeholders(post_ids)})",
        [employee_id, *post_ids],
    )
    return {int(r["post_id"]) for r in rows}


_TRUE_FALSE = (b"false", b"true")


def render_json(viewer: Viewer, card: Card, marker: int, confirmed: bool) -> bytes:
    """The card as this viewer sees it (my reactions, confirmed, unread, may I moderate),
    as the JSON of a `PostOut`."""
    mine = card.reactors.get(viewer.id)
    unread = card.id > marker and card.author_id != viewer.id if marker >= 0 else False
    return b"".join(
        (
            card.json,
            b',"my_reactions":',
            orjson.dumps(sorted(mine)) if mine else b"[]",
            b',"confirmed":',
            _TRUE_FALSE[confirmed],
            b',"unread":',
            _TRUE_FALSE[unread],
            b',"can_moderate":',
            _TRUE_FALSE[can_moderate_post(viewer, card)],
            b"}",
        )
    )


def render(viewer: Viewer, card: Card, marker: int, confirmed: bool) -> dict[str, Any]:
    result: dict[str, Any] = orjson.loads(render_json(viewer, card, marker, confirmed))
    return result


async def posts_out(viewer: Viewer, posts: Sequence[Post], marker: int = -1) -> list[PostOut]:
    cards = await load_cards(posts)
    confirmed = await confirmed_by(viewer.id, [p.id for p in posts if p.needs_confirmation])
    return [
        PostOut.model_validate(
            {
                **render(viewer, cards[p.id], marker, p.id in confirmed),
                "held": p.deleted_at is not None,  # only its author gets it so
            }
        )
        for p in posts
    ]
