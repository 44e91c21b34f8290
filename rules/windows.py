"""Calendar windows for limits: day, week (from Monday), month, total.

Windows are named by labels, not time ranges: a label is what a counter is stored
under, and what the explanation shows ("3 of 3 this day (2026-03-03)").
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import Final, Literal

Period = Literal["day", "week", "month", "total"]

PHRASES: Final[dict[str, str]] = {
    "day": "this day",
    "week": "this week",
    "month": "this month",
    "total": "in total",
}


@lru_cache(maxsize=4096)
def window_label(per: str, day: date) -> str:
    if per == "day":
        return day.isoformat()
    if per == "week":
        return f"week from {(day - timedelta(days=day.weekday())).isoformat()}"
    if per == "month":
        return f"{day.year:04d}-{day.month:02d}"
    return "total"


def describe(used: int, maximum: int, per: str, label: str) -> str:
    if per == "total":
        return f"{used} of {maximum} in total"
    return f"{used} of {maximum} {PHRASES[per]} ({label})"
