"""Watched words, the pure part: entries compiled into one matcher that finds what a text
says and what to do about it. Knows nothing of HTTP or the database.

An entry is a word, a phrase, a wildcard (`*` any letters, `?` one letter) or a regular
expression. Words and phrases match by stem (Snowball, Russian or English by the script of
the word), so one entry catches a Russian noun's dozen case forms and English plurals,
-ing and -ed; a near miss ("class" for "classic") has another stem and is not caught.
Boundaries are Unicode word boundaries (`\\w` is Unicode in Python's `re`).

Speed (bench/watched_words.py: 2,000 entries, 2,000-character posts, p99 under 2 ms):
Snowball runs in C when PyStemmer is installed (a dependency; the pure-Python stemmer,
ten times slower, is the fallback and gives the same stems); a word is stemmed only when
it starts like an entry (one set lookup of its first letters throws out most words), and
its stem is kept in a bounded dict; the regular expressions are first searched as one
alternation, and run one by one only when it finds something.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import snowballstemmer


class Kind(StrEnum):
    WORD = "word"
    PHRASE = "phrase"
    WILDCARD = "wildcard"
    REGEX = "regex"


class Action(StrEnum):
    """Ordered by weight: a text that hits several entries gets the heaviest action."""

    CENSOR = "censor"  # shown masked
    FLAG = "flag"  # published, and put in the moderators' queue
    HOLD = "hold"  # require approval: held until a moderator decides
    BLOCK = "block"  # refused, nothing stored


WEIGHT = {Action.CENSOR: 1, Action.FLAG: 2, Action.HOLD: 3, Action.BLOCK: 4}
MAX_PATTERN = 200
MASK = "•"


class PatternError(ValueError):
    """An entry that cannot be compiled or that could take too long (`reason` says which)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Entry:
    id: int
    pattern: str
    kind: Kind
    action: Action


@dataclass(frozen=True, slots=True)
class Hit:
    entry: Entry
    start: int
    end: int
    text: str  # what the text says there
    why: str  # "stem молотк", "wildcard", "regex"


_WORD = re.compile(r"\w+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_STEMMERS = {
    "russian": snowballstemmer.stemmer("russian"),
    "english": snowballstemmer.stemmer("english"),
}
# A Russian stem that ends consonant + о/е + consonant may lose that vowel in other forms
# (молоток: молотка, отец: отца, день: дня): both are written without it.
_FLEETING = re.compile(r"([^аеёиоуыэюяь])[оеё]([^аеёиоуыэюяьй])$")


_STEMS: dict[str, str] = {}  # lowercased word (ё as е): its stem; cleared when full
_STEMS_MAX = 65536
_VOWELS = frozenset("аеёиоуыэюяь")
_SOFT = _VOWELS | {"й"}


def stem(word: str) -> str:
    """The canonical stem of one word: lowercased, ё as е, Snowball, fleeting vowel out."""
    low = word.lower().replace("ё", "е")
    found = _STEMS.get(low)
    return found if found is not None else _stem_lowered(low)


def _stem_lowered(low: str) -> str:
    if not low.isascii() and _CYRILLIC.search(low):
        base = str(_STEMMERS["russian"].stemWord(low))
        if (
            len(base) >= 4
            and base[-2] in "оеё"
            and base[-3] not in _VOWELS
            and base[-1] not in _SOFT
        ):
            base = base[:-2] + base[-1]
    else:
        base = str(_STEMMERS["english"].stemWord(low))
    if len(_STEMS) >= _STEMS_MAX:
        _STEMS.clear()
    _STEMS[low] = base
    return base


def clear_stem_cache() -> None:
    """Forget every stem (the bench's cold figure)."""
    _STEMS.clear()


def _prefix(word: str) -> str:
    """What every form of `word` starts with: the common start of the word and its stem
    (happy -> happi: "happ"; молоток -> молотк: "молот"), at least one letter."""
    low = word.lower().replace("ё", "е")
    base = stem(word)
    n = 0
    while n < min(len(low), len(base)) and low[n] == base[n]:
        n += 1
    start = low[: max(n, 1)]
    # A Russian genitive plural may put a vowel before the stem's last consonant (взятка:
    # взяток, ёлка: ёлок), and English drops a final e before -ing (bribe: bribing).
    if _CYRILLIC.search(start) and len(start) >= 3:
        return start[:-1]
    if start.endswith("e") and len(start) >= 3:
        return start[:-1]
    return start


def _wildcard_regex(pattern: str) -> str:
    parts = []
    for ch in pattern.strip().lower():
        if ch == "*":
            parts.append(r"\w*")
        elif ch == "?":
            parts.append(r"\w")
        elif ch.isspace():
            parts.append(r"\W+")
        else:
            parts.append(re.escape(ch))
    return r"(?<!\w)" + "".join(parts) + r"(?!\w)"


def words_of(text: str) -> list[str]:
    return _WORD.findall(text)


# Inputs that make a backtracking engine explode on a bad pattern: long runs of one
# character (and of the pattern's own letters) that end in something that fails the match.
def _adversarial(pattern: str) -> list[str]:
    letters = {c for c in pattern if c.isalnum()} | {"a", "1", " ", "а"}
    runs = []
    for ch in sorted(letters):
        for tail in ("!", "\n", "", "\x00"):
            runs.append(ch * 40 + tail)
    runs.append("ab" * 40 + "!")
    runs.append(" " * 3000 + "!")
    return runs


_PROBE = """
import re, sys, time
pattern = sys.stdin.readline().rstrip("\\n").encode().decode("unicode_escape")
rx = re.compile(pattern, re.IGNORECASE)
began = time.perf_counter()
for line in sys.stdin.read().split("\\x1e"):
    rx.search(line)
print(time.perf_counter() - began)
"""


def check_pattern(pattern: str, kind: Kind, budget_s: float = 0.5) -> None:
    """Raises PatternError when the entry is empty, too long, not a valid regular expression,
    or (for regexes) takes longer than `budget_s` on adversarial inputs. The regex runs in a
    child process because Python's `re` cannot be interrupted."""
    text = pattern.strip()
    if not text:
        raise PatternError("empty", "The entry is empty.")
    if len(text) > MAX_PATTERN:
        raise PatternError("too_long", f"The entry is longer than {MAX_PATTERN} characters.")
    if kind is Kind.WORD and len(words_of(text)) != 1:
        raise PatternError("not_a_word", "A word entry is one word; use a phrase for more.")
    if kind in (Kind.WORD, Kind.PHRASE) and not words_of(text):
        raise PatternError("no_letters", "The entry has no letters.")
    if kind is Kind.WILDCARD and not text.strip("*? "):
        raise PatternError("too_wide", "A wildcard needs at least one letter.")
    if kind is not Kind.REGEX:
        return
    try:
        compiled = re.compile(text, re.IGNORECASE)
    except re.error as err:
        raise PatternError("invalid_regex", f"Not a valid regular expression: {err}.") from err
    if compiled.search(""):
        raise PatternError("matches_empty", "The expression matches an empty text.")
    payload = text.encode("unicode_escape").decode() + "\n" + "\x1e".join(_adversarial(text))
    try:
        done = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-I", "-c", _PROBE],
            input=payload.encode(),
            # The child times its own searches; the interpreter's start-up (~30 ms, more on
            # a busy machine) is not the pattern's fault, so the hard limit is looser.
            timeout=budget_s + 1.5,
            check=True,
            capture_output=True,
        )
        slow = float(done.stdout) > budget_s
    except subprocess.TimeoutExpired:
        slow = True
    except (subprocess.CalledProcessError, ValueError) as err:
        raise PatternError("invalid_regex", "Not a valid regular expression.") from err
    if slow:
        raise PatternError(
            "catastrophic",
            "The expression takes too long on some texts (catastrophic backtracking); "
            "avoid nested repetition such as (a+)+.",
        )


class Matcher:
    """All entries compiled once; `check(text)` lists every hit, in text order."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = list(entries)
        # Words and phrases by the stem of their first word, and the prefix every form of
        # that word starts with: a text's word is stemmed only when it starts like one.
        self._by_stem: dict[str, list[tuple[Entry, tuple[str, ...]]]] = {}
        self._stem_prefixes: set[str] = set()
        # One-word wildcards by their literal start ("idio*": "idio"), tried on whole words;
        # those that start with * or ? ("" here) are tried on every word.
        self._wild: dict[str, list[tuple[Entry, re.Pattern[str]]]] = {}
        self._scans: list[tuple[Entry, re.Pattern[str], str]] = []  # regexes, long wildcards
        for entry in self.entries:
            if entry.kind in (Kind.WORD, Kind.PHRASE):
                tokens = words_of(entry.pattern)
                if not tokens:
                    continue
                stems = tuple(stem(t) for t in tokens)
                self._by_stem.setdefault(stems[0], []).append((entry, stems[1:]))
                self._stem_prefixes.add(_prefix(tokens[0]))
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
        starts = self._stem_prefixes | set(self._wild)
        self._lengths = sorted({len(p) for p in starts})
        # The gate: a word's first `_g` letters (the shortest start's length) give the
        # lengths of the starts that begin so, the only ones worth slicing the word at: one
        # dict lookup throws out most words. Wildcards that start with * or ? (start "",
        # length 0) are tried on every word.
        self._g = min((len(p) for p in starts if p), default=0)
        lead = (0,) if "" in self._wild else ()
        by_lead: dict[str, set[int]] = {}
        for p in starts:
            if p:
                by_lead.setdefault(p[: self._g], set()).add(len(p))
        self._gate = {key: (*lead, *sorted(ks)) for key, ks in by_lead.items()}
        self._ungated: tuple[int, ...] | None = lead or None
        # The regular expressions as one alternation, searched once: when it finds nothing
        # none of them can (each is then run alone, for every hit and overlaps as before).
        self._scan_gate = _alternation([rx.pattern for _, rx, _ in self._scans])

    def __len__(self) -> int:
        return len(self.entries)

    def check(self, text: str) -> list[Hit]:
        hits: list[Hit] = []
        if self._lengths:
            self._word_hits(text, hits)
        if self._scans and (self._scan_gate is None or self._scan_gate.search(text)):
            for entry, rx, why in self._scans:
                for m in rx.finditer(text):
                    if m.end() > m.start():
                        hits.append(Hit(entry, m.start(), m.end(), m.group(), why))
        if len(hits) > 1:
            hits.sort(key=_order)
        return hits

    def _word_hits(self, text: str, hits: list[Hit]) -> None:
        prefixes, wild, by_stem = self._stem_prefixes, self._wild, self._by_stem
        g, gate, ungated = self._g, self._gate, self._ungated
        stems = _STEMS
        tokens = list(_WORD.finditer(text))
        for i, m in enumerate(tokens):
            token = m.group()
            low = token.lower().replace("ё", "е")
            ks = gate.get(low[:g], ungated)
            if ks is None:
                continue
            stemmed = False
            n = len(low)
            for k in ks:
                if k > n:
                    break
                key = low[:k]
                if not stemmed and key in prefixes:
                    stemmed = True
                    first = stems.get(low)
                    if first is None:
                        first = _stem_lowered(low)
                    found = by_stem.get(first)
                    if found:
                        self._stem_hits(text, tokens, i, first, found, hits)
                if key in wild:
                    for entry, whole in wild[key]:
                        if whole.fullmatch(low):
                            hits.append(Hit(entry, m.start(), m.end(), token, "wildcard"))

    @staticmethod
    def _stem_hits(
        text: str,
        tokens: list[re.Match[str]],
        i: int,
        first_stem: str,
        found: list[tuple[Entry, tuple[str, ...]]],
        hits: list[Hit],
    ) -> None:
        start = tokens[i].start()
        for entry, rest in found:
            if not rest:
                hits.append(
                    Hit(entry, start, tokens[i].end(), tokens[i].group(), f"stem {first_stem}")
                )
                continue
            if len(tokens) - i - 1 < len(rest):
                continue
            if all(stem(tokens[i + 1 + j].group()) == wanted for j, wanted in enumerate(rest)):
                last = tokens[i + len(rest)].end()
                words = " ".join((first_stem, *rest))
                hits.append(Hit(entry, start, last, text[start:last], f"stems {words}"))


def _order(hit: Hit) -> tuple[int, int]:
    return (hit.start, -hit.end)


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    """One pattern that matches somewhere exactly when one of `patterns` does, or None when
    they cannot be joined (back-references and named groups would change meaning, global
    inline flags are refused inside a group)."""
    if not patterns:
        return None
    for pattern in patterns:
        if re.search(r"\\\d|\(\?P|\(\?\(", pattern):
            return None
    try:
        return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
    except re.error:
        return None


def verdict(hits: Sequence[Hit]) -> Action | None:
    """The heaviest action of the hits, or None."""
    if not hits:
        return None
    return max((h.entry.action for h in hits), key=WEIGHT.__getitem__)


def mask(text: str, hits: Sequence[Hit]) -> str:
    """The text with what censor entries matched replaced by dots (letters only: spaces and
    punctuation stay, so Markdown keeps its shape)."""
    spans = [(h.start, h.end) for h in hits if h.entry.action is Action.CENSOR]
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i].isalnum():
                chars[i] = MASK
    return "".join(chars)
