"""The analytics roll-up, pure: raw visits and actions of one day in, daily figures out.

Knows nothing of the database. `person_days` turns one local day's raw rows into one row per
person who was active; `cells` turns person-days into the figures of every breakdown cell
(the whole company, each store, city, region, department and role). The tests compare both
with a brute-force count over the raw data for any stream across time zones and midnights.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Figures summed over a cell's person-days. `active` is the number of people (DAU).
SUMMED = (
    "active",
    "sessions",
    "session_seconds",
    "views",
    "posts",
    "comments",
    "reactions",
    "confirmations",
    "engaged",
    "authors",
    "new",
    "returning",
    "phone",
    "web",
)
# Figures over a trailing window of days: distinct people active in it.
WINDOWS = {"wau": 7, "mau": 30}
METRICS = SUMMED + tuple(WINDOWS)
DIMENSIONS = ("company", "store", "city", "region", "department", "role")
# A cell that stands for fewer people than this is merged with the other small cells.
SMALL_CELL = 5
OTHERS = "~others"

# Activity types that only read; anything else is engagement.
READING = frozenset({"post.viewed", "story.viewed", "user.daily_login"})
# A visit longer than this is cut: a tab left open overnight is not a 9-hour session.
MAX_SESSION = timedelta(hours=4)


@dataclass(frozen=True)
class Visit:
    employee_id: int
    started: datetime  # aware
    last_seen: datetime  # aware, >= started
    phone: bool


@dataclass(frozen=True)
class Action:
    employee_id: int
    type: str
    at: datetime  # aware


@dataclass(frozen=True)
class Person:
    """Where a person sits, as of the roll-up (keys are strings; "" when unknown)."""

    store: str = ""
    city: str = ""
    region: str = ""
    department: str = ""
    role: str = ""

    def key(self, dimension: str) -> str:
        return "all" if dimension == "company" else getattr(self, dimension)


@dataclass
class PersonDay:
    day: date
    employee_id: int
    sessions: int = 0
    session_seconds: int = 0
    views: int = 0
    posts: int = 0
    comments: int = 0
    reactions: int = 0
    confirmations: int = 0
    actions: int = 0  # anything beyond reading
    phone: bool = False
    web: bool = False
    new: bool = False  # the first day this person was ever active
    where: Person = field(default_factory=Person)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants where a local day starts and the next one starts (DST-aware)."""
    start = datetime.combine(day, time(), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    return start, end


def local_day(at: datetime, zone: ZoneInfo) -> date:
    return at.astimezone(zone).date()


def session_seconds(visit: Visit) -> int:
    return int(min(visit.last_seen - visit.started, MAX_SESSION).total_seconds())


_COUNTED = {
    "post.viewed": "views",
    "post.created": "posts",
    "comment.created": "comments",
    "reaction.added": "reactions",
    "post.read_confirmed": "confirmations",
}


def person_days(
    day: date,
    zone: ZoneInfo,
    visits: Iterable[Visit],
    actions: Iterable[Action],
    people: Mapping[int, Person],
    active_before: set[int],
) -> list[PersonDay]:
    """One row per person active on the local `day`: a visit that started that day, or any
    action that day. A visit counts on the day it started. `active_before`: people with an
    active day before this one (so the others are new)."""
    rows: dict[int, PersonDay] = {}

    def row(employee_id: int) -> PersonDay:
        found = rows.get(employee_id)
        if found is None:
            found = rows[employee_id] = PersonDay(
                day,
                employee_id,
                new=employee_id not in active_before,
                where=people.get(employee_id, Person()),
            )
        return found

    for visit in visits:
        if local_day(visit.started, zone) != day:
            continue
        r = row(visit.employee_id)
        r.sessions += 1
        r.session_seconds += session_seconds(visit)
        if visit.phone:
            r.phone = True
        else:
            r.web = True
    for action in actions:
        if local_day(action.at, zone) != day:
            continue
        r = row(action.employee_id)
        counter = _COUNTED.get(action.type)
        if counter is not None:
            setattr(r, counter, getattr(r, counter) + 1)
        if action.type not in READING:
            r.actions += 1
    return sorted(rows.values(), key=lambda r: r.employee_id)


def _summed(r: PersonDay) -> dict[str, int]:
    return {
        "active": 1,
        "sessions": r.sessions,
        "session_seconds": r.session_seconds,
        "views": r.views,
        "posts": r.posts,
        "comments": r.comments,
        "reactions": r.reactions,
        "confirmations": r.confirmations,
        "engaged": int(r.actions > 0),
        "authors": int(r.posts + r.comments > 0),
        "new": int(r.new),
        "returning": int(not r.new),
        "phone": int(r.phone),
        "web": int(r.web),
    }


Cell = tuple[str, str]  # (dimension, key)


def cells(
    day: date, today: Iterable[PersonDay], window: Iterable[PersonDay]
) -> dict[Cell, dict[str, int]]:
    """Every breakdown cell's figures for `day`: sums over today's person-days, and the
    distinct people of the trailing windows (`window`: person-days of the 29 days before
    `day`, any order; where a person sat is taken from each row, as of its roll-up)."""
    out: dict[Cell, dict[str, int]] = defaultdict(lambda: dict.fromkeys(METRICS, 0))
    seen: dict[str, dict[Cell, set[int]]] = {name: defaultdict(set) for name in WINDOWS}
    today = list(today)
    for r in today:
        figures = _summed(r)
        for dimension in DIMENSIONS:
            cell = out[(dimension, r.where.key(dimension))]
            for name, value in figures.items():
                cell[name] += value
    for r in [*window, *today]:
        age = (day - r.day).days
        for name, days in WINDOWS.items():
            if 0 <= age < days:
                for dimension in DIMENSIONS:
                    seen[name][(dimension, r.where.key(dimension))].add(r.employee_id)
    for name, by_cell in seen.items():
        for cell_key, ids in by_cell.items():
            out[cell_key][name] = len(ids)
    return dict(out)


def merge_small(
    rows: Mapping[str, Mapping[str, int]], people: str = "active", limit: int = SMALL_CELL
) -> dict[str, dict[str, int]]:
    """A breakdown with every cell of fewer than `limit` people (by the figure `people`)
    summed into one `OTHERS` cell; if that cell is still too small its figures are not
    shown at all (it is dropped), so nobody's own activity can be read off a table."""
    shown: dict[str, dict[str, int]] = {}
    others: dict[str, int] = {}
    for key, figures in rows.items():
        if figures.get(people, 0) >= limit:
            shown[key] = dict(figures)
        else:
            for name, value in figures.items():
                others[name] = others.get(name, 0) + value
    if others and others.get(people, 0) >= limit:
        shown[OTHERS] = others
    return shown
