"""Database models of the server: organisation, accounts, activity outbox, HR imports and
the community (channels, groups, posts, events, polls, notifications, search)."""

from server.models.accounts import ApiToken, Session
from server.models.activity import ActivityEvent
from server.models.chat import (
    Chat,
    ChatArchiveAction,
    ChatKind,
    ChatMember,
    ChatMessage,
    ChatMessageArchive,
)
from server.models.community import (
    Channel,
    ChannelSubscription,
    Follow,
    Group,
    GroupMember,
    MemberState,
    Segment,
    Visibility,
)
from server.models.events import (
    Event,
    EventInvite,
    Poll,
    PollAnswer,
    PollChoice,
    PollOption,
    Rsvp,
    RsvpAnswer,
)
from server.models.hr import HrImport
from server.models.notifications import Notification
from server.models.org import (
    City,
    Company,
    Department,
    Employee,
    EmployeeStatus,
    Region,
    Role,
    Store,
)
from server.models.posts import (
    ArchivedText,
    ArchiveReason,
    Attachment,
    Comment,
    FeedMarker,
    Post,
    PostAudience,
    PostKind,
    PostView,
    Reaction,
    ReadConfirmation,
)
from server.models.rulesets import RulesetPublication, RulesetVersion
from server.models.search import Digest, DigestDelivery, SearchDoc
from server.models.stories import Story, StoryKind, StoryView

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "ArchiveReason",
    "ArchivedText",
    "Attachment",
    "Channel",
    "ChannelSubscription",
    "Chat",
    "ChatArchiveAction",
    "ChatKind",
    "ChatMember",
    "ChatMessage",
    "ChatMessageArchive",
    "City",
    "Comment",
    "Company",
    "Department",
    "Digest",
    "DigestDelivery",
    "Employee",
    "EmployeeStatus",
    "Event",
    "EventInvite",
    "FeedMarker",
    "Follow",
    "Group",
    "GroupMember",
    "HrImport",
    "MemberState",
    "Notification",
    "Poll",
    "PollAnswer",
    "PollChoice",
    "PollOption",
    "Post",
    "PostAudience",
    "PostKind",
    "PostView",
    "Reaction",
    "ReadConfirmation",
    "Region",
    "Role",
    "Rsvp",
    "RsvpAnswer",
    "RulesetPublication",
    "RulesetVersion",
    "SearchDoc",
    "Segment",
    "Session",
    "Store",
    "Story",
    "StoryKind",
    "StoryView",
    "Visibility",
]
