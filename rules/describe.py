"""The rule language described from the code: event types and their fields, the CEL
functions the runtime has, and the keys allowed at each level of a ruleset file.

One description feeds the editor's completion and hover help (`GET /api/rulesets/language`)
and the reference section of docs/rules.md (`plaza rules describe --markdown`), so the two
never disagree with each other or with the checker. Pure: no I/O.

The help texts here are English (docs/rules.md stays English); each has a key
(`help_keys()`), and `describe(localise)` asks `localise(key, english)` for the text to
serve, which the server answers from its catalogue in the user's language
(server/locales/ru.json, `rules.help.*`).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from typing import Any, Final, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from rules.events import (
    COMMON_FIELDS,
    DERIVED_FIELDS,
    EVENT_TYPES,
    PROFILE_FIELDS,
    REVERSIBLE_BY,
)
from rules.model import (
    Active,
    Award,
    Badge,
    Case,
    Contest,
    Expect,
    Limit,
    Prize,
    PrizeAward,
    ReverseOn,
    Rule,
    RulesetFile,
    Score,
    Streak,
    Tier,
    Winners,
)

FIELD_HELP: Final[Mapping[str, str]] = {
    "id": "the event's unique id",
    "type": "the event type",
    "actor": "who did it (a user id); `actor.<field>` reads their profile",
    "at": "when it happened",
    "subject": "the user the event is about (e.g. the post's author), null when none",
    "hour": "local hour 0..23 in the ruleset's time zone",
    "weekday": "local weekday, 1 = Monday .. 7 = Sunday",
}

PROFILE_HELP: Final[Mapping[str, str]] = {
    "id": "the user's id",
    "store": "store code",
    "department": "department code",
    "city": "city code",
    "region": "region code",
    "role": "employee, director, comms, moderator or admin",
    "position": "job title",
}

# What the CEL runtime offers (checked against it by tests/rules/test_describe.py).
FUNCTIONS: Final[tuple[tuple[str, str, str, str], ...]] = (
    # name, signature, one-line help, an example that must compile and run
    ("size", "size(x) -> int", "length of a string or list", 'size("abc") == 3'),
    ("contains", "s.contains(t) -> bool", "s has t inside it", '"kudos".contains("ud")'),
    ("startsWith", "s.startsWith(t) -> bool", "s begins with t", '"post".startsWith("po")'),
    ("endsWith", "s.endsWith(t) -> bool", "s ends with t", '"post".endsWith("st")'),
    (
        "matches",
        "s.matches(re) -> bool",
        "s matches the regular expression re",
        '"a1".matches("^a[0-9]$")',
    ),
    ("has", "has(x.f) -> bool", "the field f is present (not absent)", 'has({"f": 1}.f)'),
    ("int", "int(x) -> int", "convert to a whole number", 'int("3") == 3'),
    ("uint", "uint(x) -> uint", "convert to an unsigned whole number", "uint(3) == 3u"),
    ("double", "double(x) -> double", "convert to a decimal number", "double(1) == 1.0"),
    ("string", "string(x) -> string", "convert to text", 'string(3) == "3"'),
    ("bytes", "bytes(s) -> bytes", "text as bytes", 'bytes("a") == b"a"'),
    ("dyn", "dyn(x) -> dyn", "let a value be of any type", "dyn(1) == 1"),
    ("type", "type(x) -> type", "the type of a value", "type(1) == int"),
    (
        "timestamp",
        "timestamp(s) -> timestamp",
        "an RFC 3339 time",
        'timestamp("2026-01-05T09:00:00Z") < timestamp("2026-01-06T00:00:00Z")',
    ),
    (
        "duration",
        "duration(s) -> duration",
        'a duration such as "1h30m"',
        'duration("1h") == duration("60m")',
    ),
    (
        "exists",
        "list.exists(x, p) -> bool",
        "p holds for at least one element",
        "[1, 2].exists(x, x > 1)",
    ),
    ("all", "list.all(x, p) -> bool", "p holds for every element", "[1, 2].all(x, x > 0)"),
    (
        "exists_one",
        "list.exists_one(x, p) -> bool",
        "p holds for exactly one element",
        "[1, 2].exists_one(x, x > 1)",
    ),
    (
        "map",
        "list.map(x, e) -> list",
        "each element transformed by e",
        "[1, 2].map(x, x * 2) == [2, 4]",
    ),
    (
        "filter",
        "list.filter(x, p) -> list",
        "the elements for which p holds",
        "[1, 2].filter(x, x > 1) == [2]",
    ),
    ("in", "x in list -> bool", "x is one of the list's elements", '"a" in ["a", "b"]'),
)

KEY_HELP: Final[Mapping[type[BaseModel], Mapping[str, str]]] = {
    RulesetFile: {
        "version": "format version, always 1",
        "timezone": "IANA zone for days, weeks, hour and weekday; the company's zone when absent",
        "badges": "badges the rules may award, by id",
        "rules": "the rules, each listening to one event type",
        "contests": "contests between people, stores, cities, regions or departments",
        "tests": "examples run by `plaza rules test` and the editor's Run tests",
    },
    Badge: {
        "title": "name per language, e.g. {en: First post, ru: Первый пост}",
        "description": "text per language shown with the badge",
        "tier": "bronze, silver, gold or platinum",
    },
    Rule: {
        "id": "unique name, a-z0-9_; shown in every explanation",
        "title": "text per language shown to employees",
        "description": "longer text per language",
        "event": "the event type the rule listens to",
        "when": "CEL condition over event, actor and subject; the rule fires when true",
        "to": "who benefits: actor (default), subject, or a CEL expression giving a user id",
        "award": "what each firing gives: points, spins, badge",
        "tiers": "awards at counts of matching events (at 1, 10, 100...) instead of award",
        "streak": "fire once on N consecutive local days with a matching event",
        "limits": "caps per day, week, month or total",
        "active": "from/until dates outside which the rule does not fire",
        "reverse_on": "a deletion event that takes the awards back",
    },
    Award: {
        "points": "points given (0..1,000,000)",
        "spins": "wheel spins given (0..1000)",
        "badge": "a badge id defined under badges:",
    },
    PrizeAward: {
        "points": "points given (0..1,000,000)",
        "spins": "wheel spins given (0..1000)",
        "badge": "a badge id defined under badges:",
        "item": "a shop item's id: one unit from the shop's stock to each winner",
    },
    Tier: {
        "at": "the count of matching events that reaches this tier",
        "award": "what reaching it gives",
    },
    Streak: {"days": "how many consecutive local days (2..366)"},
    Limit: {
        "max": "at most this many awards in the period",
        "per": "the period: day, week, month or total",
        "key": "whose count: beneficiary (default), actor, subject, or several",
    },
    Active: {"from": "first day the rule fires (a date)", "until": "last day the rule fires"},
    ReverseOn: {
        "event": "the deletion event type",
        "link": "the field both events carry that links them (found when omitted)",
    },
    Case: {
        "name": "what the test shows",
        "users": "profiles of the test's users, by user id",
        "events": "the events, in any order (repeat: N and every: 1d make series)",
        "expect": "totals expected per user id",
        "standings": "per contest id: the participants expected at the top, in order",
    },
    Contest: {
        "id": "unique name, a-z0-9_; in the contest's address",
        "title": "name per language, e.g. {en: December contest, ru: Конкурс декабря}",
        "description": "text per language shown with the contest",
        "starts": "when it starts: 2026-12-01T00:00, in the file's (or the company's) zone",
        "ends": "when it ends (exclusive): events at or after it do not count",
        "grace": "how long after ends late events still count: 2d, 12h, 30m (default 0h)",
        "participants": "who competes: people (default), store, city, region or department",
        "per_head": "a group's score divided by its head count (groups only)",
        "score": "what counts: count, sum or points_from",
        "winners": "who wins: top: N, over: score, or first: N with reach: score",
        "prizes": "what winners get, settled once at the close",
        "announce": "an announcement post in the news channel at the close (default true)",
    },
    Score: {
        "count": "an event type: each matching event counts 1 for its actor",
        "sum": "a whole-number field of `event` summed over matching events",
        "event": "with sum: the event type whose field is summed",
        "points_from": "rule ids: the points these rules award count",
        "when": "CEL condition over event, actor and subject (with count or sum)",
    },
    Winners: {
        "top": "the N best at the end",
        "over": "everyone at or over this score",
        "first": "the first N to reach the score in reach",
        "reach": "with first: the score to reach",
    },
    Prize: {
        "place": "the winner at this place (in first: N, the N-th to reach)",
        "over": "every participant at or over this score, winner or not",
        "winners": "true: every winner",
        "award": "points, spins, badge; a group's prize goes to each member",
    },
    Expect: {
        "points": "points expected",
        "spins": "spins expected",
        "badges": "badge ids expected",
    },
}

TEST_EVENT_KEYS: Final[Mapping[str, tuple[str, str]]] = {
    "repeat": ("int", "this many copies of the event (1..10000)"),
    "every": ("str", "the time between copies: 1d, 2h, 30m, 10s"),
}

# Where each model sits in a file: a path of keys, `*` standing for a name you choose
# (a badge id, a user id); list items add nothing to the path.
LEVELS: Final[tuple[tuple[tuple[str, ...], type[BaseModel]], ...]] = (
    ((), RulesetFile),
    (("badges", "*"), Badge),
    (("rules",), Rule),
    (("rules", "award"), Award),
    (("rules", "tiers"), Tier),
    (("rules", "tiers", "award"), Award),
    (("rules", "streak"), Streak),
    (("rules", "limits"), Limit),
    (("rules", "active"), Active),
    (("rules", "reverse_on"), ReverseOn),
    (("contests",), Contest),
    (("contests", "score"), Score),
    (("contests", "winners"), Winners),
    (("contests", "prizes"), Prize),
    (("contests", "prizes", "award"), PrizeAward),
    (("tests",), Case),
    (("tests", "expect", "*"), Expect),
)


def type_name(annotation: Any) -> str:
    """A short readable type: int, str, list[str], one of a|b, ..."""
    origin = get_origin(annotation)
    args = get_args(annotation)
    if origin is typing.Annotated:
        return type_name(args[0])
    if origin is Literal:
        return "|".join(str(a) for a in args)
    if origin in (Union, types.UnionType):
        parts = [type_name(a) for a in args if a is not type(None)]
        optional = len(parts) < len(args)
        return " or ".join(parts) + ("?" if optional else "")
    if origin is list:
        return f"list[{type_name(args[0])}]"
    if origin is dict:
        return f"map[{type_name(args[0])}, {type_name(args[1])}]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    if annotation is typing.Any:
        return "any"
    return getattr(annotation, "__name__", str(annotation))


def _values(annotation: Any) -> list[str]:
    """The fixed choices of a key (a Literal, or a list of one), [] when free."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is typing.Annotated:
        return _values(args[0])
    if origin is Literal:
        return [str(a) for a in args]
    if origin in (Union, types.UnionType, list):
        return [v for a in args for v in _values(a)]
    return []


Localise = Callable[[str, str], str]  # (key, English text) -> the text to show


def _english(key: str, text: str) -> str:
    return text


def _keys(model: type[BaseModel], tr: Localise) -> list[dict[str, Any]]:
    helps = KEY_HELP[model]
    out = []
    for name, info in model.model_fields.items():
        key = info.alias or name
        out.append(
            {
                "key": key,
                "type": type_name(info.annotation),
                "required": info.is_required(),
                "values": _values(info.annotation),
                "help": tr(f"rules.help.key.{model.__name__}.{key}", helps[key]),
            }
        )
    return out


ROOT_HELP: Final[Mapping[str, str]] = {
    "event": "the event: event.<field>",
    "actor": "the profile of who did it: actor.<field>",
    "subject": "the profile of the user it is about: subject.<field>",
}


def help_keys() -> dict[str, str]:
    """Every help text by its catalogue key, in English."""
    found: dict[str, str] = {}
    describe(lambda key, text: found.setdefault(key, text))
    return found


def describe(localise: Localise | None = None) -> dict[str, Any]:
    """The whole language as plain JSON-able data; help texts through `localise`."""
    tr = localise or _english
    common = [
        {"name": n, "type": t, "help": tr(f"rules.help.field.{n}", FIELD_HELP[n]), "kind": "common"}
        for n, t in COMMON_FIELDS.items()
    ]
    derived = [
        {
            "name": n,
            "type": t,
            "help": tr(f"rules.help.field.{n}", FIELD_HELP[n]),
            "kind": "derived",
        }
        for n, t in DERIVED_FIELDS.items()
    ]
    events = [
        {
            "type": event_type,
            "fields": [{"name": n, "type": t, "help": "", "kind": "own"} for n, t in own.items()],
            "reverses_by": REVERSIBLE_BY.get(event_type),
        }
        for event_type, own in sorted(EVENT_TYPES.items())
    ]
    levels = [{"path": list(path), "keys": _keys(model, tr)} for path, model in LEVELS]
    test_event_keys = [
        {
            "key": n,
            "type": t,
            "required": False,
            "values": [],
            "help": tr(f"rules.help.test_key.{n}", h),
        }
        for n, (t, h) in TEST_EVENT_KEYS.items()
    ]
    return {
        "common_fields": common,
        "derived_fields": derived,
        "events": events,
        "profile_fields": [
            {
                "name": n,
                "type": t,
                "help": tr(f"rules.help.profile.{n}", PROFILE_HELP[n]),
                "kind": "profile",
            }
            for n, t in PROFILE_FIELDS.items()
        ],
        "roots": [{"name": n, "help": tr(f"rules.help.root.{n}", h)} for n, h in ROOT_HELP.items()],
        "functions": [
            {"name": n, "signature": s, "help": tr(f"rules.help.function.{n}", h), "example": e}
            for n, s, h, e in FUNCTIONS
        ],
        "levels": levels,
        "test_event_keys": test_event_keys,
    }


def _code(text: str) -> str:
    return f"`{text}`"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown(description: Mapping[str, Any] | None = None) -> str:
    """The reference section of docs/rules.md, from the description."""
    d = describe() if description is None else description
    out = [
        "Generated by `plaza rules describe --markdown` from `rules/describe.py`; the editor's",
        "completion and hover help use the same description (`GET /api/rulesets/language`).",
        "",
        "#### Fields every event has",
        "",
        "| field | type | meaning |",
        "| --- | --- | --- |",
    ]
    for f in [*d["common_fields"], *d["derived_fields"]]:
        out.append(f"| {_code(f['name'])} | {_cell(f['type'])} | {_cell(f['help'])} |")
    out += [
        "",
        "#### Event types",
        "",
        "| event | fields | as `reverse_on`, links by |",
        "| --- | --- | --- |",
    ]
    for e in d["events"]:
        fields = ", ".join(f"{_code(f['name'])} {_cell(f['type'])}" for f in e["fields"]) or "—"
        back = _code(e["reverses_by"]) if e["reverses_by"] else ""
        out.append(f"| {_code(e['type'])} | {fields} | {back} |")
    out += [
        "",
        "`T?` may be null; `a|b|c` is one of these strings.",
        "",
        "#### Profile fields (`actor.<field>`, `subject.<field>`)",
        "",
        "| field | type | meaning |",
        "| --- | --- | --- |",
    ]
    for f in d["profile_fields"]:
        out.append(f"| {_code(f['name'])} | {_cell(f['type'])} | {_cell(f['help'])} |")
    out += ["", "#### CEL functions", "", "| function | meaning | example |", "| --- | --- | --- |"]
    for f in d["functions"]:
        signature, example = _code(_cell(f["signature"])), _code(_cell(f["example"]))
        out.append(f"| {signature} | {_cell(f['help'])} | {example} |")
    out += ["", "#### Keys at each level", ""]
    for level in d["levels"]:
        where = ".".join(level["path"]) or "top level"
        out += [
            f"**{where}**",
            "",
            "| key | type | required | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for k in level["keys"]:
            required = "yes" if k["required"] else ""
            out.append(
                f"| {_code(k['key'])} | {_cell(k['type'])} | {required} | {_cell(k['help'])} |"
            )
        out.append("")
    out += [
        "**tests.events** (a test event): `type`, `actor`, `at` and the event type's fields, and",
        "",
        "| key | type | meaning |",
        "| --- | --- | --- |",
    ]
    for k in d["test_event_keys"]:
        out.append(f"| {_code(k['key'])} | {k['type']} | {_cell(k['help'])} |")
    return "\n".join(out) + "\n"


BEGIN: Final = "<!-- BEGIN generated: plaza rules describe --markdown -->"
END: Final = "<!-- END generated -->"


def splice(doc: str, generated: str) -> str:
    """docs/rules.md with its generated section replaced."""
    start = doc.index(BEGIN) + len(BEGIN)
    end = doc.index(END)
    return doc[:start] + "\n" + generated + doc[end:]
