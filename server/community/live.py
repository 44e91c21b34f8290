"""The community's rooms: who listens where, and where a post's events go.

Rooms (names in `realtime/rooms.py`, equal to the audience tokens):

- `group:<id>`: members of the group (not invitees or requesters), whatever its visibility;
- `channel:<id>`: subscribers of a channel (a mandatory channel publishes to `company`);
- `blog:<id>`: followers of a person's blog;
- the employee's audience tokens (`region:`, `city:`, `store:`, `dept:`, `role:`,
  `employee:`, and `group:` again), so that a targeted post goes to its tokens;
- `staff`: comms, moderators and admins, who see every channel post;
- `watch:group:<id>`, `watch:blog:<id>`, `watch:channel:<id>`: sockets whose page shows
  the place without being in its feed (the `watch` message, `server/community/watch.py`).

A post's events go to the rooms of those whose feed holds it and of those watching its
place (`post_rooms`), which is never more than those who may read it over HTTP
(`access.can_see_post`). Not everyone who may read a public group gets its events, only
those whose page shows it: its chatter sent to the whole company would cost 15,000
deliveries per comment.
"""

from __future__ import annotations

from realtime import rooms
from realtime.server import publish_room_change
from server.caching import invalidate
from server.community.access import CHANNEL_STAFF
from server.community.audience import tokens_of
from server.community.sql import ints
from server.models import (
    Channel,
    ChannelSubscription,
    Employee,
    Follow,
    Group,
    GroupMember,
    MemberState,
    Post,
    PostAudience,
    Store,
    Visibility,
)
from server.services import Services


async def community_rooms(employee_id: int) -> set[str]:
    """The room source for `server/live.py:room_resolver` (read on every connect)."""
    employee = await Employee.get_or_none(id=employee_id)
    if employee is None:
        return set()
    groups = ints(
        await GroupMember.filter(employee_id=employee_id, state=MemberState.MEMBER).values_list(
            "group_id", flat=True
        )
    )
    channels = await ChannelSubscription.filter(employee_id=employee_id).values_list(
        "channel_id", flat=True
    )
    followed = await Follow.filter(follower_id=employee_id).values_list("followee_id", flat=True)
    city_id = region_id = None
    if employee.store_id:
        place = await Store.filter(id=employee.store_id).values_list("city_id", "city__region_id")
        city_id, region_id = place[0] if place else (None, None)
    found = set(tokens_of(employee, groups, city_id, region_id))
    found.add(rooms.COMPANY)
    found.update(rooms.channel(c) for c in ints(channels))
    found.update(rooms.blog(f) for f in ints(followed))
    if employee.role in CHANNEL_STAFF:
        found.add(rooms.STAFF)
    return found


async def post_rooms(post: Post) -> list[str]:
    """Where the events of this post go: the rooms of those whose feed holds it, of those
    watching its place, and its author. A socket in several of them gets one copy
    (python-socketio collects the sockets of a list of rooms in one dict,
    `tests/server/community/test_live.py` checks it)."""
    targets = {rooms.personal(post.author_id)}
    if post.group_id is not None:
        targets.add(rooms.group(post.group_id))
        # Read now, not when the watch began: a group made private since then stops
        # reaching those who only watch it (its members are in `group:<id>`).
        if await Group.exists(id=post.group_id, visibility=Visibility.PUBLIC):
            targets.add(rooms.watch("group", post.group_id))
    elif post.channel_id is not None:
        if post.audience_all:
            channel = await Channel.get_or_none(id=post.channel_id)
            if channel is None:
                return []
            if channel.mandatory:
                targets.add(rooms.COMPANY)
            else:
                targets.update((rooms.channel(channel.id), rooms.watch("channel", channel.id)))
        else:
            tokens = await PostAudience.filter(post_id=post.id).values_list("token", flat=True)
            # Segments are expanded when the post is written: every token is a room name.
            # Never the channel's watchers: a targeted post reaches its audience's rooms,
            # where its watchers in the audience already are.
            targets.update(str(t) for t in tokens)
        targets.add(rooms.STAFF)
    else:
        targets.update((rooms.blog(post.author_id), rooms.watch("blog", post.author_id)))
    return sorted(targets)


async def enter(services: Services, employee_id: int, room: str) -> None:
    """After a membership commits: every process moves the employee's sockets in (and
    drops what it cached of the employee's feed: its streams and audience tokens)."""
    await invalidate(services.redis, services.keys, viewers=[employee_id])
    await publish_room_change(services.redis, services.keys, "enter", employee_id, room)


async def leave(services: Services, employee_id: int, room: str) -> None:
    await invalidate(services.redis, services.keys, viewers=[employee_id])
    await publish_room_change(services.redis, services.keys, "leave", employee_id, room)
