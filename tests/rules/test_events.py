from __future__ import annotations

from datetime import UTC, datetime

from rules.events import EVENT_TYPES, fields_of, matches, validate_event


def test_every_type_string_is_understood() -> None:
    samples = {"str": "x", "int": 1, "bool": True, "datetime": datetime.now(UTC)}
    for fields in EVENT_TYPES.values():
        for type_ in fields.values():
            base = type_.removesuffix("?")
            value = samples.get(base, base.split("|")[0])
            assert matches(type_, value), type_


def test_matches() -> None:
    assert matches("str?", None) and not matches("str", None)
    assert not matches("int", True)  # a bool is not a count
    assert matches("post|kudos|news", "news") and not matches("post|kudos|news", "poll")
    assert not matches("datetime", datetime(2026, 1, 1))  # naive


def test_validate_event() -> None:
    good = {
        "id": "e1",
        "type": "kudos.given",
        "actor": "u1",
        "at": datetime.now(UTC),
        "post_id": "p",
        "recipient_id": "u2",
        "message_length": 10,
    }
    assert validate_event(good) == []
    bad = {**good, "message_length": "10", "extra": 1}
    del bad["post_id"]
    assert validate_event(bad) == [
        "kudos.given: missing field 'post_id'",
        "kudos.given: field 'message_length' must be int",
        "kudos.given: unknown field 'extra'",
    ]
    assert validate_event({"type": "nope"}) == ["unknown event type 'nope'"]


def test_common_and_derived_fields_are_readable() -> None:
    assert {"id", "actor", "at", "subject", "hour", "weekday"} <= set(fields_of("user.daily_login"))
