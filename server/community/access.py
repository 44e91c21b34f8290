"""Who may see and change what. Every route that takes an object id goes through here, so a
caller who may not see an object gets the same 404 as for one that does not exist (no
probing of private groups or targeted posts by id)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from server.community.audience import tokens_of
from server.community.sql import fetch, placeholders
from server.errors import ApiError, not_found
from server.models import (
    Employee,
    Group,
    GroupMember,
    MemberState,
    Post,
    PostAudience,
    Role,
    Visibility,
)

# Comms runs the channels (and targets their audiences), so it sees every channel post;
# moderators and admins see them too, to moderate.
CHANNEL_STAFF = frozenset({Role.COMMS, Role.ADMIN, Role.MODERATOR})
CHANNEL_EDITORS = frozenset({Role.COMMS, Role.ADMIN})
MODERATORS = frozenset({Role.MODERATOR, Role.ADMIN})


@dataclass(frozen=True)
class Viewer:
    employee: Employee
    tokens: frozenset[str]
    groups: frozenset[int]  # groups I am a member of
    moderates: frozenset[int]  # groups I moderate
    streams: tuple[str, ...] | None = None  # my home feed's streams, when loaded with them

    @property
    def id(self) -> int:
        return self.employee.id

    @property
    def role(self) -> Role:
        return self.employee.role

    @property
    def sees_all_channels(self) -> bool:
        return self.role in CHANNEL_STAFF

    @property
    def is_moderator(self) -> bool:
        return self.role in MODERATORS

    @property
    def edits_channels(self) -> bool:
        return self.role in CHANNEL_EDITORS


# Every route that takes an object id loads the viewer, so it is one round trip: my groups,
# my store's city and region, and (for the home feed) my channels and followees, as
# (kind, a, b) rows. On PostgreSQL each statement is a loopback round trip that costs more
# than its index seeks; this replaces four of them on every feed page.
_VIEWER_SQL = (
    "SELECT 'g' AS k, group_id AS a, CASE WHEN moderator THEN 1 ELSE 0 END AS b "
    "FROM group_member WHERE employee_id = ? AND state = ? "
    "UNION ALL SELECT 's', s.city_id, c.region_id FROM store s "
    "LEFT JOIN city c ON c.id = s.city_id WHERE s.id = ?"
)
_STREAMS_SQL = (
    " UNION ALL SELECT 'c', id, 0 FROM channel WHERE mandatory"
    " UNION ALL SELECT 'c', channel_id, 0 FROM channel_subscription WHERE employee_id = ?"
    " UNION ALL SELECT 'u', followee_id, 0 FROM follow WHERE follower_id = ?"
)


def viewer_query(employee: Employee, *, with_streams: bool) -> tuple[str, list[Any]]:
    values: list[Any] = [employee.id, MemberState.MEMBER.value, employee.store_id]
    sql = _VIEWER_SQL
    if with_streams:
        sql += _STREAMS_SQL
        values += [employee.id, employee.id]
    return sql, values


def viewer_from_rows(
    employee: Employee, rows: Iterable[dict[str, Any]], *, with_streams: bool
) -> Viewer:
    """The viewer from the rows of `viewer_query` (rows of other kinds are skipped)."""
    groups: set[int] = set()
    moderates: set[int] = set()
    streams: set[str] = {f"u:{employee.id}"}
    city_id = region_id = None
    for row in rows:
        kind, a, b = row["k"], row["a"], row["b"]
        if kind == "g":
            groups.add(int(a))
            if b:
                moderates.add(int(a))
        elif kind == "s":
            city_id, region_id = a, b
        elif kind in ("c", "u"):
            streams.add(sys.intern(f"{kind}:{a}"))
    # Interned: cached viewers of thousands of people share one string per stream.
    streams.update(sys.intern(f"g:{g}") for g in groups)
    return Viewer(
        employee,
        tokens_of(employee, groups, city_id, region_id),
        frozenset(groups),
        frozenset(moderates),
        tuple(sorted(streams)) if with_streams else None,
    )


async def load_viewer(employee: Employee, *, with_streams: bool = False) -> Viewer:
    sql, values = viewer_query(employee, with_streams=with_streams)
    return viewer_from_rows(employee, await fetch(sql, values), with_streams=with_streams)


def can_see_group(viewer: Viewer, group: Group) -> bool:
    return group.visibility != Visibility.SECRET or group.id in viewer.groups


def can_read_group(viewer: Viewer, group: Group) -> bool:
    return group.visibility == Visibility.PUBLIC or group.id in viewer.groups


async def visible_group(viewer: Viewer, group_id: int) -> Group:
    group = await Group.get_or_none(id=group_id)
    if group is None:
        raise not_found()
    if not can_see_group(viewer, group) and not await GroupMember.exists(
        group_id=group.id, employee_id=viewer.id, state=MemberState.INVITED
    ):  # an invitee sees the secret group it is invited to, not its content
        raise not_found()
    return group


async def can_see_post(viewer: Viewer, post: Post) -> bool:
    if post.deleted_at is not None:
        return False
    if post.author_id == viewer.id:
        return True
    if post.group_id is not None:
        group = await Group.get_or_none(id=post.group_id)
        return group is not None and can_read_group(viewer, group)
    if post.channel_id is not None and not post.audience_all and not viewer.sees_all_channels:
        return await PostAudience.exists(post_id=post.id, token__in=list(viewer.tokens))
    return True


async def visible_post(viewer: Viewer, post_id: int) -> Post:
    post = await Post.get_or_none(id=post_id)
    if post is None or not await can_see_post(viewer, post):
        raise not_found()
    return post


class OfPlace(Protocol):
    """A post, or what is cached of one: who wrote it, and where."""

    @property
    def author_id(self) -> int: ...
    @property
    def group_id(self) -> int | None: ...
    @property
    def channel_id(self) -> int | None: ...


def can_moderate_post(viewer: Viewer, post: OfPlace) -> bool:
    """Delete, pin: the author, moderators and admins, the group's moderators, and comms in
    channels."""
    return (
        post.author_id == viewer.id
        or viewer.is_moderator
        or (post.group_id is not None and post.group_id in viewer.moderates)
        or (post.channel_id is not None and viewer.edits_channels)
    )


def require(condition: bool) -> None:
    if not condition:
        raise ApiError(403, "forbidden")


async def my_streams(viewer: Viewer) -> list[str]:
    """The streams of my home feed: my channels (mandatory ones without a row), my groups,
    the people I follow, and my own blog."""
    if viewer.streams is None:
        viewer = await load_viewer(viewer.employee, with_streams=True)
    return list(viewer.streams or ())


def audience_sql(viewer: Viewer, alias: str = "p") -> tuple[str, list[object]]:
    """SQL: this channel post's audience includes the viewer."""
    if viewer.sees_all_channels:
        return "1=1", []
    tokens = sorted(viewer.tokens)
    return (
        f"({alias}.audience_all OR {alias}.author_id = ? OR EXISTS (SELECT 1 FROM post_audience a "  # noqa: S608 - placeholders only
        f"WHERE a.post_id = {alias}.id AND a.token IN ({placeholders(tokens)})))",
        [viewer.id, *tokens],
    )


def visibility_sql(viewer: Viewer, alias: str = "p") -> tuple[str, list[object]]:
    """SQL: the viewer may see this post (the same rule as `can_see_post`)."""
    audience, values = audience_sql(viewer, alias)
    groups = sorted(viewer.groups) or [0]
    sql = (
        f"{alias}.deleted_at IS NULL AND ("  # noqa: S608 - placeholders only
        f"({alias}.channel_id IS NOT NULL AND {audience}) OR "
        f"({alias}.group_id IS NOT NULL AND ({alias}.group_id IN ({placeholders(groups)}) OR "
        f"{alias}.group_id IN (SELECT id FROM community_group WHERE visibility = 'public'))) OR "
        f"({alias}.channel_id IS NULL AND {alias}.group_id IS NULL))"
    )
    return sql, [*values, *groups]
