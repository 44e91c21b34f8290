"""The fast matcher equals the one it replaced: the old `Matcher` (and its `stem`) are kept
here, word for word, as the reference, and both check random texts made of the bench's
vocabulary (inflected forms of the entries, near misses, other words, case, ё, digits)."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from functools import lru_cache

from hypothesis import given, settings
from hypothesis import strategies as st
from snowballstemmer.english_stemmer import EnglishStemmer
from snowballstemmer.russian_stemmer import RussianStemmer

from bench.watched_words import SEED, _vocabulary, corpus_entries
from server.moderation.words import (
    _CYRILLIC,
    _STEMMERS,
    _WORD,
    Action,
    Entry,
    Hit,
    Kind,
    Matcher,
    _wildcard_regex,
    clear_stem_cache,
    stem,
    words_of,
)

# --- the reference: server/moderation/words.py as it was --------------------------------

_FLEETING = re.compile(r"([^аеёиоуыэюяь])[оеё]([^аеёиоуыэюяьй])$")


@lru_cache(maxsize=65536)
def old_stem(word: str) -> str:
    low = word.lower().replace("ё", "е")
    if _CYRILLIC.search(low):
        base = str(_STEMMERS["russian"].stemWord(low))
        if len(base) >= 4:
            base = _FLEETING.sub(r"\1\2", base)
        return base
    return str(_STEMMERS["english"].stemWord(low))


def old_prefix(word: str) -> str:
    low = word.lower().replace("ё", "е")
    base = old_stem(word)
    n = 0
    while n < min(len(low), len(base)) and low[n] == base[n]:
        n += 1
    start = low[: max(n, 1)]
    if _CYRILLIC.search(start) and len(start) >= 3:
        return start[:-1]
    if start.endswith("e") and len(start) >= 3:
        return start[:-1]
    return start


class OldMatcher:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        self._by_stem: dict[str, list[tuple[Entry, tuple[str, ...]]]] = {}
        self._stem_prefixes: set[str] = set()
        self._wild: dict[str, list[tuple[Entry, re.Pattern[str]]]] = {}
        self._scans: list[tuple[Entry, re.Pattern[str], str]] = []
        for entry in self.entries:
            if entry.kind in (Kind.WORD, Kind.PHRASE):
                tokens = words_of(entry.pattern)
                if not tokens:
                    continue
                stems = tuple(old_stem(t) for t in tokens)
                self._by_stem.setdefault(stems[0], []).append((entry, stems[1:]))
                self._stem_prefixes.add(old_prefix(tokens[0]))
            elif entry.kind is Kind.WILDCARD:
                pattern = entry.pattern.strip().lower().replace("ё", "е")
                if any(ch.isspace() for ch in pattern):
                    rx = re.compile(_wildcard_regex(pattern), re.IGNORECASE)
                    self._scans.append((entry, rx, "wildcard"))
                    continue
                literal = re.match(r"[^*?]*", pattern)
                start = literal.group() if literal else ""
                whole = re.compile(_wildcard_regex(pattern)[len(r"(?<!\w)") : -len(r"(?!\w)")])
                self._wild.setdefault(start, []).append((entry, whole))
            else:
                self._scans.append((entry, re.compile(entry.pattern, re.IGNORECASE), "regex"))
        self._lengths = sorted({len(p) for p in self._stem_prefixes} | {len(p) for p in self._wild})

    def check(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        lengths, prefixes, wild = self._lengths, self._stem_prefixes, self._wild
        if lengths:
            tokens = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
            for i, (start, end, token) in enumerate(tokens):
                low = token.lower().replace("ё", "е")
                stemmed = False
                for k in lengths:
                    if k > len(low):
                        break
                    key = low[:k]
                    if not stemmed and key in prefixes:
                        stemmed = True
                        found = self._by_stem.get(old_stem(token))
                        if found:
                            hits.extend(self._stem_hits(text, tokens, i, found))
                    if key in wild:
                        for entry, whole in wild[key]:
                            if whole.fullmatch(low):
                                hits.append(Hit(entry, start, end, token, "wildcard"))
        for entry, rx, why in self._scans:
            for m in rx.finditer(text):
                if m.end() > m.start():
                    hits.append(Hit(entry, m.start(), m.end(), m.group(), why))
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    @staticmethod
    def _stem_hits(
        text: str,
        tokens: list[tuple[int, int, str]],
        i: int,
        found: list[tuple[Entry, tuple[str, ...]]],
    ) -> list[Hit]:
        hits = []
        start, _, first = tokens[i]
        first_stem = old_stem(first)
        for entry, rest in found:
            if len(tokens) - i - 1 < len(rest):
                continue
            if all(old_stem(tokens[i + 1 + j][2]) == wanted for j, wanted in enumerate(rest)):
                last = tokens[i + len(rest)][1]
                words = " ".join((first_stem, *rest))
                why = f"stems {words}" if rest else f"stem {first_stem}"
                hits.append(Hit(entry, start, last, text[start:last], why))
        return hits


# --- the texts and entries ---------------------------------------------------------------

ENTRIES = corpus_entries(2000)
# Besides the bench's: wildcards that start with * or ? (tried on every word), a wildcard
# phrase, regular expressions that do hit, one with a back-reference and one with a named
# group (these cannot be joined into one alternation), short words and a phrase of three.
EXTRA = [
    Entry(3001, "*ing", Kind.WILDCARD, Action.FLAG),
    Entry(3002, "?ом", Kind.WILDCARD, Action.CENSOR),
    Entry(3003, "ба* ве*", Kind.WILDCARD, Action.HOLD),
    Entry(3004, r"\d{2,}", Kind.REGEX, Action.FLAG),
    Entry(3005, r"(ba)\1", Kind.REGEX, Action.CENSOR),
    Entry(3006, r"(?P<x>ка)ла", Kind.REGEX, Action.FLAG),
    Entry(3007, "ёлка", Kind.WORD, Action.FLAG),
    Entry(3008, "spam", Kind.WORD, Action.BLOCK),
    Entry(3009, "молоток", Kind.WORD, Action.HOLD),
    Entry(3010, "good morning sun", Kind.PHRASE, Action.CENSOR),
    Entry(3011, "ab", Kind.WORD, Action.FLAG),
    Entry(3012, r"\b[бвd][аa]\w+", Kind.REGEX, Action.FLAG),
]
OTHER = ["ёлок", "Ёлками", "молотков", "SPAMMING", "spa", "Good", "mornings", "suns", "12"]
VOCABULARY = [*_vocabulary(random.Random(SEED), ENTRIES, 3000), *OTHER]
VOCABULARY += [e.pattern for e in ENTRIES if e.kind is Kind.PHRASE]
PAIRS = [
    (OldMatcher(ENTRIES), Matcher(ENTRIES)),
    (OldMatcher(ENTRIES + EXTRA), Matcher(ENTRIES + EXTRA)),
    (OldMatcher(EXTRA), Matcher(EXTRA)),
]


def _spell(word: str, how: int) -> str:
    if how == 1:
        return word.upper()
    if how == 2:
        return word.capitalize()
    if how == 3:
        return word.replace("е", "ё")
    return word


WORDS = st.tuples(st.sampled_from(VOCABULARY) | st.sampled_from(OTHER), st.integers(0, 6)).map(
    lambda p: _spell(*p)
)
GAPS = st.sampled_from([" ", " ", " ", ", ", ". ", "\n", "-", " «", "» ", "_", "1", "'"])
TEXTS = st.lists(st.tuples(WORDS, GAPS), max_size=120).map(
    lambda parts: "".join(w + g for w, g in parts)
)


@settings(max_examples=300, deadline=None)
@given(text=TEXTS, cold=st.booleans())
def test_the_fast_matcher_finds_what_the_old_one_did(text: str, cold: bool) -> None:
    if cold:
        clear_stem_cache()
    for old, new in PAIRS:
        assert new.check(text) == old.check(text)


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=80))
def test_on_any_text_too(text: str) -> None:
    for old, new in PAIRS:
        assert new.check(text) == old.check(text)


@settings(max_examples=300, deadline=None)
@given(word=st.one_of(WORDS, st.text(min_size=1, max_size=12)))
def test_the_stem_is_the_old_one(word: str) -> None:
    assert stem(word) == old_stem(word)


def test_the_c_stemmer_gives_the_pure_python_stems() -> None:
    pure = {"russian": RussianStemmer(), "english": EnglishStemmer()}
    for word in {w.lower().replace("ё", "е") for w in VOCABULARY}:
        language = "russian" if _CYRILLIC.search(word) else "english"
        assert _STEMMERS[language].stemWord(word) == pure[language].stemWord(word), word
