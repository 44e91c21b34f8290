"""Who may watch which place live (the `watch` socket message, `realtime/server.py`).

A watcher sees a place's posts without being in its feed: a public group not joined, a
person's blog not followed, an optional channel not subscribed to. The check is the one
HTTP makes before it lists the place's posts (`server/feed/endpoints.py`), so a socket
never watches what its owner could not open. What a watcher then gets is decided when
each event is published (`server/community/live.py:post_rooms`): a group's watchers only
while it is public, a channel's only for posts to everyone, never a targeted post.
"""

from __future__ import annotations

from realtime.errors import MessageError
from server.community.access import can_read_group, load_viewer, visible_group
from server.errors import ApiError
from server.i18n import translate
from server.models import Channel, Employee


def _refused(locale: str, code: str) -> MessageError:
    return MessageError(code, translate(locale, f"error.{code}"))


async def watch_policy(employee_id: int, locale: str, place: str, ident: int) -> None:
    """Raises `MessageError` (`not_found`, `not_a_member`) unless the employee may read the
    place. A secret group of which one is not a member is `not_found`, like one that does
    not exist: no probing of secret groups by id."""
    if place == "group":
        employee = await Employee.get_or_none(id=employee_id)
        if employee is None:
            raise _refused(locale, "not_found")
        viewer = await load_viewer(employee)
        try:
            group = await visible_group(viewer, ident)
        except ApiError:
            raise _refused(locale, "not_found") from None
        if not can_read_group(viewer, group):
            raise _refused(locale, "not_a_member")
    elif place == "blog":
        if not await Employee.exists(id=ident):
            raise _refused(locale, "not_found")
    elif place == "channel":
        if not await Channel.exists(id=ident):
            raise _refused(locale, "not_found")
    else:
        raise _refused(locale, "not_found")
