"""Every server-to-client event has a declared, versioned schema; the publisher refuses
anything else before it leaves the process."""

from __future__ import annotations

from typing import get_args

import pytest

from realtime.errors import InvalidEvent
from realtime.events import CLIENT_MESSAGES, EPHEMERAL, EVENTS, Payload, StoryCreated
from realtime.publisher import validate

REQUIRED = {
    "post.created",
    "post.updated",
    "post.deleted",
    "comment.created",
    "reaction.changed",
    "presence.changed",
    "story.created",
    "chat.message",
    "notification",
    "wallet.changed",
    "leaderboard.changed",
}


def test_every_required_event_is_declared() -> None:
    assert set(EVENTS) >= REQUIRED
    assert set(EPHEMERAL) <= set(EVENTS)


@pytest.mark.parametrize("event", sorted(EVENTS))
def test_every_event_has_a_version_and_forbids_unknown_fields(event: str) -> None:
    model = EVENTS[event]
    assert issubclass(model, Payload)
    assert get_args(model.model_fields["v"].annotation) == (1,)
    assert model.model_config.get("extra") == "forbid"
    schema = model.model_json_schema()
    assert "v" in schema["properties"]


@pytest.mark.parametrize("name", sorted(CLIENT_MESSAGES))
def test_client_messages_forbid_unknown_fields(name: str) -> None:
    assert CLIENT_MESSAGES[name].model_config.get("extra") == "forbid"


def test_validate_rejects_undeclared_events_and_bad_payloads() -> None:
    with pytest.raises(InvalidEvent, match="not a declared event"):
        validate("post.exploded", {})
    with pytest.raises(InvalidEvent, match=r"chat\.read"):
        validate("chat.read", {"chat_id": 1})
    with pytest.raises(InvalidEvent, match="takes ChatTyping"):
        validate("chat.typing", StoryCreated.model_construct())
    checked = validate("chat.read", {"chat_id": 1, "employee_id": 2, "message_id": 3})
    assert checked.model_dump()["v"] == 1
