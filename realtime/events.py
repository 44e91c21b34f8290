"""The schema of every server-to-client event and every client-to-server message.

A payload carries `v`, the version of its schema: a change that breaks clients bumps it.
`seq` is filled in by the publisher for durable events (the client's reconnect cursor,
see `realtime/publisher.py`); it is absent for ephemeral ones (presence, typing).
Publishing an event that is not declared here, or a payload that does not fit, is an
error in the publishing code, raised before anything leaves the process.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from gamification import live as reward_events


class Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = 1
    seq: int | None = None


PresenceState = Literal["online", "away", "offline"]


# -- community content (`server/posts/live.py`; the rooms: `server/community/live.py`) -------


class PostEvent(Payload):
    post_id: int
    author_id: int
    group_id: int | None = None
    channel_id: int | None = None
    kind: str = "post"
    title: str = ""
    excerpt: str = Field(default="", max_length=500)
    at: datetime


class PostDeleted(Payload):
    post_id: int
    group_id: int | None = None
    channel_id: int | None = None


class CommentCreated(Payload):
    comment_id: int
    post_id: int
    author_id: int
    parent_id: int | None = None
    excerpt: str = Field(default="", max_length=500)
    at: datetime


class PostPinned(Payload):
    post_id: int
    pinned: bool
    banner: bool


class PostViews(Payload):
    """Coalesced: at most one per post per few seconds (see `server/posts/live.py`)."""

    post_id: int
    views: int = Field(ge=0)


class PollOptionCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    option_id: int
    votes: int = Field(ge=0)


class PollResults(Payload):
    """Counts only, never voters (a poll may be anonymous); coalesced like `PostViews`."""

    poll_id: int
    post_id: int
    total: int = Field(ge=0)
    options: list[PollOptionCount]


class ReactionChanged(Payload):
    post_id: int
    comment_id: int | None = None
    # The totals after the change, so a client does not have to count.
    counts: dict[str, int]
    actor_id: int
    emoji: str
    added: bool


# -- presence --------------------------------------------------------------------------------


class PresenceEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int
    state: PresenceState
    last_seen: float | None  # epoch seconds; None when never seen


class PresenceChanged(Payload):
    """Coalesced: every change of the last flush interval among the people this socket
    watches, one message per socket (not one per change)."""

    changes: list[PresenceEntry]


# -- stories ----------------------------------------------------------------------------------


class StoryCreated(Payload):
    story_id: int
    author_id: int
    author_name: str
    kind: Literal["image", "text"]
    pinned: bool
    created_at: datetime
    expires_at: datetime


# -- chat -------------------------------------------------------------------------------------


class ChatAttachment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    media_type: str
    size: int
    url: str


class ChatMessageEvent(Payload):
    chat_id: int
    message_id: int
    author_id: int
    body: str
    sticker: str | None = None
    attachment: ChatAttachment | None = None
    created_at: datetime
    edited_at: datetime | None = None
    deleted: bool = False
    # "new" for a message, "edited" and "deleted" for a change of an earlier one.
    change: Literal["new", "edited", "deleted"] = "new"


class ChatRead(Payload):
    """A read receipt: `employee_id` has read `chat_id` up to `message_id`."""

    chat_id: int
    employee_id: int
    message_id: int


class ChatTyping(Payload):
    chat_id: int
    employee_id: int


# -- notifications, rewards --------------------------------------------------------------------


class NotificationEvent(Payload):
    id: int | str
    kind: str
    # Stored notifications have no text: the client renders `kind` and `payload` (as it
    # does for `GET /api/notifications`); `title` and `body` are for sources that have one.
    title: str = ""
    body: str = ""
    payload: dict[str, Any] = Field(default_factory=dict)
    url: str | None = None
    actor_id: int | None = None
    at: datetime


class NotificationUnread(Payload):
    count: int = Field(ge=0)


# The reward events are emitted by the gamification package (workers and web processes);
# their payloads are declared there, and versioned here like every other event.
class WalletChanged(Payload, reward_events.WalletChanged):
    pass


class WheelResult(Payload, reward_events.WheelResult):
    pass


class LeaderboardChanged(Payload, reward_events.LeaderboardChanged):
    pass


class ContestStandings(Payload, reward_events.ContestStandings):
    pass


class ContestClosed(Payload, reward_events.ContestClosed):
    pass


class SessionEnded(Payload):
    """Sent just before the server closes the sockets of a dismissed or signed-out user."""

    reason: str


# The catalogue: event name -> payload model. A test checks every one.
EVENTS: Final[dict[str, type[Payload]]] = {
    "post.created": PostEvent,
    "post.updated": PostEvent,
    "post.deleted": PostDeleted,
    "comment.created": CommentCreated,
    "reaction.changed": ReactionChanged,
    "post.pinned": PostPinned,
    "post.views": PostViews,
    "poll.results": PollResults,
    "presence.changed": PresenceChanged,
    "story.created": StoryCreated,
    "chat.message": ChatMessageEvent,
    "chat.read": ChatRead,
    "chat.typing": ChatTyping,
    "notification": NotificationEvent,
    "notification.unread": NotificationUnread,
    "wallet.changed": WalletChanged,
    "wheel.result": WheelResult,
    "leaderboard.changed": LeaderboardChanged,
    "contest.standings": ContestStandings,
    "contest.closed": ContestClosed,
    "session.ended": SessionEnded,
}

# Not kept for replay after a reconnect: they describe a moment, not a change of content.
EPHEMERAL: Final[frozenset[str]] = frozenset({"presence.changed", "chat.typing", "session.ended"})


# -- client to server ----------------------------------------------------------------------------


class ClientMessage(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PresenceSet(ClientMessage):
    state: Literal["online", "away"]


MAX_WATCHED: Final = 500


class PresenceWatch(ClientMessage):
    """Replace the list of people this socket follows (a chat list, a profile, a member
    list). At most 500: a screen shows no more, and the cost is per watched person."""

    ids: list[int] = Field(max_length=MAX_WATCHED)


class Typing(ClientMessage):
    chat_id: int


class Sync(ClientMessage):
    """Ask for the durable events missed since `since` (the last `seq` seen)."""

    since: int = Field(ge=0)


# A tab shows one place, two or three in a split view; every watched place is one more
# room the socket's process keeps and one more stream each of the place's events goes to.
MAX_WATCHED_PLACES: Final = 10

Place = Literal["group", "blog", "channel"]


class Watch(ClientMessage):
    """Get the live events of a place this tab shows without belonging to it: a public
    group not joined, a blog not followed, an optional channel not subscribed to. Checked
    like every room the server joins; ends with the socket (or `unwatch`)."""

    place: Place
    id: int = Field(ge=1)


class Unwatch(ClientMessage):
    place: Place
    id: int = Field(ge=1)


CLIENT_MESSAGES: Final[dict[str, type[ClientMessage]]] = {
    "presence.set": PresenceSet,
    "presence.watch": PresenceWatch,
    "chat.typing": Typing,
    "sync": Sync,
    "watch": Watch,
    "unwatch": Unwatch,
}
