"""Database models of the server: organisation, accounts, activity outbox, HR imports."""

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
from server.models.hr import HrImport
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
from server.models.stories import Story, StoryKind, StoryView

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "Chat",
    "ChatArchiveAction",
    "ChatKind",
    "ChatMember",
    "ChatMessage",
    "ChatMessageArchive",
    "City",
    "Company",
    "Department",
    "Employee",
    "EmployeeStatus",
    "HrImport",
    "Region",
    "Role",
    "Session",
    "Store",
    "Story",
    "StoryKind",
    "StoryView",
]
