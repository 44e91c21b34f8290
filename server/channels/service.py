"""Channels, follows, leader blogs and segments."""

from __future__ import annotations

import contextlib
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.functions import Count
from tortoise.transactions import in_transaction

from realtime import rooms
from server import audit
from server.community import live
from server.community.audience import expand, members_of
from server.community.sql import ints
from server.errors import ApiError, not_found
from server.models import (
    Channel,
    ChannelSubscription,
    Employee,
    EmployeeStatus,
    Follow,
    Role,
    Segment,
)
from server.services import Services

LEADERS = (Role.MANAGER, Role.COMMS, Role.ADMIN)
MAX_BLOGS = 200


async def channels_for(employee_id: int) -> list[dict[str, Any]]:
    subscribed = set(
        ints(
            await ChannelSubscription.filter(employee_id=employee_id).values_list(
                "channel_id", flat=True
            )
        )
    )
    return [
        {
            "id": c.id,
            "name": c.name,
            "description": c.description,
            "mandatory": c.mandatory,
            "subscribed": c.mandatory or c.id in subscribed,
        }
        for c in await Channel.all().order_by("-mandatory", "name")
    ]


async def create_channel(author_id: int, name: str, description: str, mandatory: bool) -> Channel:
    return await Channel.create(
        name=name, description=description, mandatory=mandatory, created_by_id=author_id
    )


async def edit_channel(channel_id: int, changes: dict[str, object]) -> Channel:
    channel = await Channel.get_or_none(id=channel_id)
    if channel is None:
        raise not_found()
    for name, value in changes.items():
        setattr(channel, name, value)
    if changes:
        await channel.save(update_fields=list(changes))
    return channel


async def subscribe(services: Services, employee_id: int, channel_id: int, on: bool) -> None:
    channel = await Channel.get_or_none(id=channel_id)
    if channel is None:
        raise not_found()
    if channel.mandatory:
        if not on:
            raise ApiError(409, "mandatory_channel")
        return
    if on:
        with contextlib.suppress(IntegrityError):  # already subscribed: PUT is idempotent
            await ChannelSubscription.create(channel_id=channel.id, employee_id=employee_id)
        await live.enter(services, employee_id, rooms.channel(channel.id))
    else:
        await ChannelSubscription.filter(channel_id=channel.id, employee_id=employee_id).delete()
        await live.leave(services, employee_id, rooms.channel(channel.id))


async def follow(services: Services, follower_id: int, followee_id: int, on: bool) -> None:
    if not await Employee.exists(id=followee_id, status=EmployeeStatus.ACTIVE):
        raise not_found()
    if followee_id == follower_id:
        raise ApiError(422, "validation_failed", field="id", reason="not yourself")
    if on:
        with contextlib.suppress(IntegrityError):
            await Follow.create(follower_id=follower_id, followee_id=followee_id)
        await live.enter(services, follower_id, rooms.blog(followee_id))
    else:
        await Follow.filter(follower_id=follower_id, followee_id=followee_id).delete()
        await live.leave(services, follower_id, rooms.blog(followee_id))


async def leader_blogs(viewer_id: int) -> list[tuple[Employee, int, bool]]:
    leaders = (
        await Employee.filter(role__in=list(LEADERS), status=EmployeeStatus.ACTIVE)
        .order_by("name")
        .limit(MAX_BLOGS)
    )
    ids = [e.id for e in leaders]
    counts = dict(
        await Follow.filter(followee_id__in=ids)
        .annotate(n=Count("id"))
        .group_by("followee_id")
        .values_list("followee_id", "n")
    )
    mine = set(
        ints(
            await Follow.filter(follower_id=viewer_id, followee_id__in=ids).values_list(
                "followee_id", flat=True
            )
        )
    )
    return [(e, int(counts.get(e.id, 0)), e.id in mine) for e in leaders]


async def blog_of(viewer_id: int, person_id: int) -> tuple[Employee, int, bool]:
    """One person's blog: the author, their followers, whether I follow them."""
    person = await Employee.get_or_none(id=person_id, status=EmployeeStatus.ACTIVE)
    if person is None:
        raise not_found()
    followers = await Follow.filter(followee_id=person.id).count()
    following = await Follow.exists(follower_id=viewer_id, followee_id=person.id)
    return person, followers, following


async def segments() -> list[dict[str, Any]]:
    return [
        {"id": s.id, "name": s.name, "tokens": s.tokens, "size": len(await members_of(s.tokens))}
        for s in await Segment.all().order_by("name")
    ]


async def create_segment(author_id: int, name: str, tokens: list[str]) -> dict[str, Any]:
    expanded = await expand(tokens)
    async with in_transaction() as conn:
        segment = await Segment.create(
            name=name, tokens=expanded, created_by_id=author_id, using_db=conn
        )
        await audit.record(
            author_id, "segment.create", f"segment:{segment.id}", {"name": name, "tokens": expanded}
        )
    return {
        "id": segment.id,
        "name": name,
        "tokens": expanded,
        "size": len(await members_of(expanded)),
    }


async def edit_segment(
    author_id: int, segment_id: int, name: str | None, tokens: list[str] | None
) -> dict[str, Any]:
    segment = await Segment.get_or_none(id=segment_id)
    if segment is None:
        raise not_found()
    changed: dict[str, Any] = {}
    if name is not None:
        segment.name = changed["name"] = name
    if tokens is not None:
        expanded = await expand(tokens)
        if f"segment:{segment.id}" in tokens:
            raise ApiError(422, "validation_failed", field="tokens", reason="not itself")
        segment.tokens = changed["tokens"] = expanded
    if changed:
        async with in_transaction() as conn:
            await segment.save(update_fields=list(changed), using_db=conn)
            await audit.record(author_id, "segment.edit", f"segment:{segment.id}", changed)
    return {
        "id": segment.id,
        "name": segment.name,
        "tokens": segment.tokens,
        "size": len(await members_of(segment.tokens)),
    }


async def delete_segment(author_id: int, segment_id: int) -> None:
    """Posts already sent keep their audience: a segment is expanded when a post is written."""
    segment = await Segment.get_or_none(id=segment_id)
    if segment is None:
        raise not_found()
    async with in_transaction() as conn:
        await segment.delete(using_db=conn)
        await audit.record(
            author_id, "segment.delete", f"segment:{segment_id}",
            {"name": segment.name, "tokens": segment.tokens},
        )  # fmt: skip
