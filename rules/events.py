"""The activity-event contract: every event type and the fields it carries.

Plain data on purpose: the rules checker reads it to reject conditions that name a
field an event lacks, and the server reads it to validate the events it records.

A field type is a small string:
  "str", "int", "bool", "datetime"   a value of that type
  "T?"                               the same, or null
  "a|b|c"                            one of these strings
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

# Every event has these; `subject` is the user the event is about (the post author
# for a reaction), absent when there is none.
COMMON_FIELDS: Final[Mapping[str, str]] = {
    "id": "str",
    "type": "str",
    "actor": "str",
    "at": "datetime",
    "subject": "str?",
}

# Derived by the engine from `at` in the ruleset's time zone, so a rule can say
# "on weekdays" or "before 10:00" without CEL time-zone functions (which the
# CEL runtime we use lacks).
DERIVED_FIELDS: Final[Mapping[str, str]] = {
    "hour": "int",  # 0..23, local
    "weekday": "int",  # 1 = Monday .. 7 = Sunday, local
}

EVENT_TYPES: Final[Mapping[str, Mapping[str, str]]] = {
    "post.created": {
        "post_id": "str",
        "body_length": "int",
        "channel_id": "str?",
        "group_id": "str?",
        "has_image": "bool",
        "kind": "post|kudos|news",
    },
    "post.deleted": {"post_id": "str"},
    "post.shared": {"post_id": "str", "post_author_id": "str", "group_id": "str?"},
    "comment.created": {
        "comment_id": "str",
        "post_id": "str",
        "post_author_id": "str",
        "body_length": "int",
        "is_reply": "bool",
    },
    "comment.deleted": {"comment_id": "str", "post_id": "str"},
    "user.mentioned": {"post_id": "str", "comment_id": "str?"},
    "reaction.added": {"post_id": "str", "post_author_id": "str", "emoji": "str"},
    "reaction.removed": {"post_id": "str", "post_author_id": "str", "emoji": "str"},
    "post.viewed": {"post_id": "str", "post_author_id": "str"},
    "post.read_confirmed": {"post_id": "str"},
    "kudos.given": {"post_id": "str", "recipient_id": "str", "message_length": "int"},
    "event.created": {"event_id": "str", "group_id": "str?"},
    "event.rsvp": {"event_id": "str", "answer": "going|maybe|declined"},
    "event.attended": {"event_id": "str"},
    "poll.created": {"poll_id": "str", "post_id": "str", "options": "int"},
    "poll.answered": {"poll_id": "str", "post_id": "str"},
    "profile.completed": {"completeness": "int"},
    "user.daily_login": {},
    "story.created": {"story_id": "str", "has_video": "bool"},
    "story.viewed": {"story_id": "str", "story_author_id": "str"},
    "group.joined": {"group_id": "str"},
    # Courses: a lesson's quiz passed (once per lesson and person), a course completed
    # (every lesson read and its quiz passed; once per course and person).
    "quiz.passed": {"course_id": "str", "lesson_id": "str", "attempt_id": "str", "score": "int"},
    "course.completed": {"course_id": "str"},
}

# The deletions that can take awards back (`reverse_on`), and the field that names what
# was deleted. Settlement reverses through the ledger by this reference, so a rule may
# only link a deletion by its own field.
REVERSIBLE_BY: Final[Mapping[str, str]] = {
    "post.deleted": "post_id",
    "comment.deleted": "comment_id",
}

# What CEL sees as `actor` and `subject`. Deployments may add fields; these are
# the ones every deployment has, so conditions may name them.
PROFILE_FIELDS: Final[Mapping[str, str]] = {
    "id": "str",
    "store": "str",
    "department": "str",
    "city": "str",
    "region": "str",
    "role": "str",
    "position": "str",
}

RESERVED_KEYS: Final[frozenset[str]] = frozenset(COMMON_FIELDS)


def fields_of(event_type: str) -> Mapping[str, str]:
    """All names `event.<name>` may use for this type."""
    return {**COMMON_FIELDS, **DERIVED_FIELDS, **EVENT_TYPES[event_type]}


def enum_values(type_: str) -> tuple[str, ...] | None:
    base = type_.removesuffix("?")
    return tuple(base.split("|")) if "|" in base else None


def matches(type_: str, value: Any) -> bool:
    """Whether a decoded JSON value fits a field type."""
    if type_.endswith("?"):
        if value is None:
            return True
        type_ = type_[:-1]
    if type_ == "str":
        return isinstance(value, str)
    if type_ == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if type_ == "bool":
        return isinstance(value, bool)
    if type_ == "datetime":
        return isinstance(value, datetime) and value.tzinfo is not None
    choices = enum_values(type_)
    return choices is not None and value in choices


def validate_event(payload: Mapping[str, Any]) -> list[str]:
    """Problems with one event (fields besides the common ones), [] when it fits.

    `at` must already be a datetime; callers decode it from JSON first.
    """
    problems: list[str] = []
    type_ = payload.get("type")
    if not isinstance(type_, str) or type_ not in EVENT_TYPES:
        return [f"unknown event type {type_!r}"]
    declared = {**COMMON_FIELDS, **EVENT_TYPES[type_]}
    for name, field_type in declared.items():
        if name not in payload:
            if not field_type.endswith("?"):
                problems.append(f"{type_}: missing field {name!r}")
        elif not matches(field_type, payload[name]):
            problems.append(f"{type_}: field {name!r} must be {field_type}")
    problems.extend(f"{type_}: unknown field {name!r}" for name in payload if name not in declared)
    return problems
