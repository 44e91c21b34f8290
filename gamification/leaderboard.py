"""Leaderboard maths: calendar periods in the company's zone, which boards a transfer
counts on, and the score that orders a board.

Pure: the clock is passed in. Redis (gamification/boards.py) stores the boards; the
ledger is what they must always equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Final, Literal

from gamification.ledger import Org

Scope = Literal["user", "store", "city", "region", "department"]
Period = Literal["day", "week", "month", "quarter", "all"]
SCOPES: Final[tuple[Scope, ...]] = ("user", "store", "city", "region", "department")
PERIODS: Final[tuple[Period, ...]] = ("day", "week", "month", "quarter", "all")

# A score packs points and when the member reached them: points * SPAN + (SPAN - 1 -
# minute), minutes counted from EPOCH. Equal points then rank whoever got there first
# higher. SPAN = 2^26 minutes is 127 years; points up to 2^26 either way keep the score
# within the 2^53 a double holds exactly.
SPAN: Final = 1 << 26
EPOCH: Final = datetime(2020, 1, 1, tzinfo=UTC)

# How long a finished period's board stays readable (then Redis expires it; the ledger
# still has everything, and a rebuild brings back what is within these times).
RETENTION: Final[dict[str, timedelta]] = {
    "day": timedelta(days=40),
    "week": timedelta(weeks=20),
    "month": timedelta(days=800),
    "quarter": timedelta(days=1200),
}


def minute_of(moment: datetime) -> int:
    minutes = int((moment - EPOCH).total_seconds() // 60)
    return min(max(minutes, 0), SPAN - 1)


def encode(points: int, minute: int) -> float:
    return float(points * SPAN + (SPAN - 1 - minute))


def decode(score: float) -> tuple[int, int]:
    """(points, minute reached)."""
    value = int(score)
    points = value // SPAN
    return points, SPAN - 1 - (value - points * SPAN)


def label(period: Period, day: date) -> str:
    if period == "day":
        return day.isoformat()
    if period == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    if period == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    return "all"


def period_end(period: Period, period_label: str, zone: tzinfo) -> datetime | None:
    """The first instant after the period, None for all time."""
    if period == "all":
        return None
    if period == "day":
        first = date.fromisoformat(period_label) + timedelta(days=1)
    elif period == "week":
        first = date.fromisoformat(period_label) + timedelta(days=7)
    elif period == "month":
        year, month = int(period_label[:4]), int(period_label[5:7])
        first = date(year + month // 12, month % 12 + 1, 1)
    else:
        year, quarter = int(period_label[:4]), int(period_label[-1])
        month = quarter * 3 + 1
        first = date(year + (month > 12), (month - 1) % 12 + 1, 1)
    return datetime.combine(first, time(), zone).astimezone(UTC)


def expires_at(period: Period, period_label: str, zone: tzinfo) -> int:
    """Unix time when the board may go, 0 for never."""
    end = period_end(period, period_label, zone)
    if end is None:
        return 0
    return int((end + RETENTION[period]).timestamp())


@dataclass(frozen=True, slots=True)
class Board:
    scope: Scope
    period: Period
    label: str

    def expires_at(self, zone: tzinfo) -> int:
        return expires_at(self.period, self.label, zone)


def members(user_id: int, org: Org) -> list[tuple[Scope, str]]:
    found: list[tuple[Scope, str]] = [("user", str(user_id))]
    for scope, value in zip(SCOPES[1:], org, strict=True):
        if value:
            found.append((scope, value))
    return found


def boards_of(user_id: int, org: Org, at: datetime, zone: tzinfo) -> list[tuple[Board, str]]:
    """Every (board, member) an earning of `user_id` at `at` counts on."""
    day = at.astimezone(zone).date()
    labels = [(period, label(period, day)) for period in PERIODS]
    return [
        (Board(scope, period, period_label), member)
        for scope, member in members(user_id, org)
        for period, period_label in labels
    ]


def current_boards(scope: Scope, now: datetime, zone: tzinfo) -> dict[Period, Board]:
    day = now.astimezone(zone).date()
    return {period: Board(scope, period, label(period, day)) for period in PERIODS}


@dataclass(slots=True)
class Entry:
    points: int = 0
    minute: int = -1


def aggregate(
    rows: Iterable[tuple[int, int, datetime, Org]], zone: tzinfo, now: datetime
) -> dict[Board, dict[str, Entry]]:
    """Boards from (user id, signed points, at, org) rows, as a rebuild writes them: the
    sum per member, and the latest minute any of it counted (as the increments do). Boards
    past their retention are left out."""
    out: dict[Board, dict[str, Entry]] = {}
    cutoff = int(now.timestamp())
    expiry: dict[Board, int] = {}
    for user_id, points, at, org in rows:
        minute = minute_of(at)
        for board, member in boards_of(user_id, org, at, zone):
            ends = expiry.get(board)
            if ends is None:
                ends = expiry[board] = board.expires_at(zone)
            if ends and ends <= cutoff:
                continue
            entry = out.setdefault(board, {}).setdefault(member, Entry())
            entry.points += points
            entry.minute = max(entry.minute, minute)
    return out


def rank_per_head(
    scores: dict[str, tuple[int, int]], heads: dict[str, int]
) -> list[tuple[str, float, int]]:
    """Stores by points per employee: (member, per head, points), best first; ties go to
    whoever got there first."""
    rows = []
    for member, (points, minute) in scores.items():
        count = heads.get(member, 0)
        if count:
            rows.append((member, points / count, points, minute))
    rows.sort(key=lambda r: (-r[1], r[3], r[0]))
    return [(m, round(per, 2), p) for m, per, p, _ in rows]


def period_start(period: Period, period_label: str, zone: tzinfo) -> datetime | None:
    """The period's first instant, None for all time."""
    if period == "all":
        return None
    if period in ("day", "week"):
        first = date.fromisoformat(period_label)
    elif period == "month":
        first = date(int(period_label[:4]), int(period_label[5:7]), 1)
    else:
        first = date(int(period_label[:4]), (int(period_label[-1]) - 1) * 3 + 1, 1)
    return datetime.combine(first, time(), zone).astimezone(UTC)


def cumulative_by_day(
    rows: Iterable[tuple[datetime, int]], zone: tzinfo, first: date, last: date
) -> list[int]:
    """Points earned up to the end of each day from `first` to `last` (local days in
    `zone`), from (at, signed points) rows; rows before `first` count on its first day."""
    days = (last - first).days + 1
    if days <= 0:
        return []
    per_day = [0] * days
    for at, points in rows:
        index = (at.astimezone(zone).date() - first).days
        per_day[min(max(index, 0), days - 1)] += points
    total = 0
    out = []
    for value in per_day:
        total += value
        out.append(total)
    return out
