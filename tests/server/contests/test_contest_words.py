"""A contest in words names what counts in the reader's language, never by its code name."""

from __future__ import annotations

import pytest

from rules.events import EVENT_TYPES
from rules.ruleset import load_ruleset
from server.contests.words import rules_in_words
from server.i18n import catalog

pytestmark = pytest.mark.one_database


def test_every_event_type_and_summable_field_has_words_in_both_languages() -> None:
    for locale in ("en", "ru"):
        messages = catalog(locale)
        for event, fields in EVENT_TYPES.items():
            assert f"contest.event.{event}" in messages, (locale, event)
            for name, kind in fields.items():
                if kind.startswith("int"):
                    assert f"contest.field.{name}" in messages, (locale, event, name)


def _contest(score: str) -> str:
    return f"""\
version: 1
rules: []
contests:
  - id: c
    title: {{en: C}}
    starts: 2026-12-01T00:00
    ends: 2026-12-31T00:00
    score: {score}
    winners: {{top: 3}}
"""


def test_the_score_reads_as_words() -> None:
    spec = load_ruleset(_contest("{count: comment.created}")).contests[0]
    assert "The score: every new comment counts 1." in rules_in_words(spec, None, "en")
    assert "Очки: каждое событие «новый комментарий» даёт 1." in rules_in_words(spec, None, "ru")
    spec = load_ruleset(_contest("{sum: body_length, event: post.created}")).contests[0]
    assert "The score: the sum of text length over every new post." in rules_in_words(
        spec, None, "en"
    )
    assert "Очки: сумма «длина текста» по всем событиям «новый пост»." in rules_in_words(
        spec, None, "ru"
    )
