"""Benchmark of the watched-words check: prints figures, asserts nothing.

    python -m bench.watched_words            # 2,000 entries, 2,000 posts of 2,000 characters
    python -m bench.watched_words --quick    # 2,000 entries, 300 posts
    python -m bench.watched_words --repeat 1 # each post timed once (the default is 5)

Entries: 1,800 words, 150 phrases, 40 wildcards and 10 regular expressions, half Russian,
half English. Each post is 2,000 characters of words from a 6,000-word vocabulary that
holds inflected forms of the entries, so many words start like an entry and are stemmed.
Prints p50/p99 of `Matcher.check` per post with the stem cache warm (a process that has
seen the vocabulary) and cold (the cache cleared before every post), against p99 < 2 ms.
Each post is timed 5 times: the first call's figures (the post is new to the CPU's caches,
as a real one is) and the fastest call's (what the check itself costs, as timeit reports
it). On this 2-core VM about one first call in fifty takes 3-10 times its cost and the same
post is fast when timed again; the bench counts how often a post slow once is slow again.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as `python bench/watched_words.py`
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from server.moderation.words import Action, Entry, Kind, Matcher, clear_stem_cache

SEED = 20261206
BUDGET_MS = 2.0
RU = [c + v for c in "бвгджзклмнпрстфхчш" for v in "аеиоу"]
EN = [c + v for c in "bcdfghklmnprstvw" for v in "aeiou"]
RU_ENDINGS = ["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"]
EN_ENDINGS = ["", "s", "ed", "ing", "er"]


def _word(rng: random.Random, russian: bool) -> str:
    syllables = RU if russian else EN
    return "".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) + (
        rng.choice("кнтрл") if russian else rng.choice("tnrlsm")
    )


def corpus_entries(n: int, seed: int = SEED) -> list[Entry]:
    rng = random.Random(seed)
    actions = list(Action)
    entries: list[Entry] = []
    for i in range(n):
        russian = i % 2 == 0
        share = i / n
        if share < 0.9:
            kind, pattern = Kind.WORD, _word(rng, russian)
        elif share < 0.975:
            kind, pattern = Kind.PHRASE, f"{_word(rng, russian)} {_word(rng, russian)}"
        elif share < 0.995:
            kind, pattern = Kind.WILDCARD, _word(rng, russian)[:4] + "*"
        else:
            kind, pattern = Kind.REGEX, rf"\b{_word(rng, russian)[:3]}\d+\b"
        entries.append(Entry(i + 1, pattern, kind, actions[i % len(actions)]))
    return entries


def _vocabulary(rng: random.Random, entries: list[Entry], size: int) -> list[str]:
    words = []
    for e in entries:
        if e.kind is Kind.WORD:
            russian = any("а" <= c <= "я" for c in e.pattern)
            words.append(e.pattern + rng.choice(RU_ENDINGS if russian else EN_ENDINGS))
    while len(words) < size:
        words.append(_word(rng, rng.random() < 0.5))
    return words


def post_text(length: int, seed: int = SEED, entries: list[Entry] | None = None) -> str:
    rng = random.Random(seed)
    vocabulary = _vocabulary(rng, entries or corpus_entries(2000), 6000)
    parts: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(vocabulary)
        parts.append(word + rng.choice([" ", " ", " ", ", ", ". "]))
        size += len(parts[-1])
    return "".join(parts)[:length]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--repeat", type=int, default=5, help="time each post n times (first call and fastest)"
    )
    args = parser.parse_args()
    posts_n = 300 if args.quick else 2000
    entries = corpus_entries(2000)
    began = time.perf_counter()
    matcher = Matcher(entries)
    compile_ms = (time.perf_counter() - began) * 1000
    posts = [post_text(2000, SEED + i, entries) for i in range(posts_n)]
    hits = 0
    for text in posts:  # the warm figures are for a process that has seen the vocabulary
        matcher.check(text)
    for label, cold in (("warm", False), ("cold", True)):
        first, best, wall = [], [], []
        again = []  # for each post whose first call went over the budget: its other calls
        for text in posts:
            runs = []
            for _ in range(max(1, args.repeat)):
                if cold:
                    clear_stem_cache()
                began, began_cpu = time.perf_counter(), time.thread_time()
                found = matcher.check(text)
                runs.append((time.thread_time() - began_cpu) * 1000)
                if len(runs) == 1:
                    wall.append((time.perf_counter() - began) * 1000)
            first.append(runs[0])
            best.append(min(runs))
            if runs[0] > BUDGET_MS:
                again += runs[1:]
            hits += len(found)
        # CPU time as well: on a shared machine the wall clock's tail is other processes.
        print(
            f"{label:>4} stem cache, each post's first call: CPU p50 "
            f"{statistics.median(first):.3f} ms, p99 {percentile(first, 0.99):.3f} ms; wall p50 "
            f"{statistics.median(wall):.3f} ms, p99 {percentile(wall, 0.99):.3f} ms, over "
            f"{len(posts)} posts of 2,000 characters (target p99 < {BUDGET_MS:.0f} ms, ratio "
            f"{percentile(first, 0.99) / BUDGET_MS:.2f})"
        )
        if args.repeat > 1:
            # Whether the tail is the text's: a post slow once is timed again. On this VM it
            # mostly is not (the slow calls are other posts from run to run), so the fastest
            # of the runs is what the check itself costs, as timeit reports it.
            slow_again = sum(t > BUDGET_MS for t in again)
            print(
                f"      fastest of {args.repeat} calls a post: p50 {statistics.median(best):.3f} "
                f"ms, p99 {percentile(best, 0.99):.3f} ms (ratio "
                f"{percentile(best, 0.99) / BUDGET_MS:.2f}); the posts over {BUDGET_MS:.0f} ms at "
                f"the first call went over again in {slow_again} of {len(again)} later calls"
            )
    print(f"2,000 entries compiled in {compile_ms:.0f} ms; {hits / 2 / len(posts):.1f} hits a post")


if __name__ == "__main__":
    main()
