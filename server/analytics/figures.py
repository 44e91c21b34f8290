"""Headline figures of a period from daily cells, goals' periods and progress. Pure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

# How a headline figure is made from the daily cells of a period.
AVERAGED = ("active", "engaged", "authors", "returning", "phone", "web")  # people per day
SUMMED = ("sessions", "views", "posts", "comments", "reactions", "confirmations", "new")
AT_END = ("wau", "mau")  # the trailing window at the period's last day
DERIVED = ("dau_mau", "avg_session_minutes")
HEADLINES = AVERAGED + SUMMED + AT_END + DERIVED
PERIODS = ("week", "month", "quarter", "year")


def headline(days: Sequence[Mapping[str, int]], length: int) -> dict[str, float]:
    """`days`: the company cell of each rolled day in the period, in order (days nobody was
    active have no cell); `length`: the period's number of days so far."""
    out: dict[str, float] = {}
    for name in AVERAGED:
        out[name] = round(sum(d.get(name, 0) for d in days) / length, 1) if length else 0.0
    for name in SUMMED:
        out[name] = float(sum(d.get(name, 0) for d in days))
    for name in AT_END:
        out[name] = float(days[-1].get(name, 0)) if days else 0.0
    out["dau_mau"] = round(out["active"] / out["mau"], 3) if out["mau"] else 0.0
    seconds = sum(d.get("session_seconds", 0) for d in days)
    sessions = sum(d.get("sessions", 0) for d in days)
    out["avg_session_minutes"] = round(seconds / sessions / 60, 1) if sessions else 0.0
    return out


def period_of(kind: str, day: date) -> tuple[date, date]:
    """The week (Monday first), month, quarter or year holding `day`: first and last day."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6)
    if kind == "month":
        start = day.replace(day=1)
    elif kind == "quarter":
        start = day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    elif kind == "year":
        start = day.replace(month=1, day=1)
    else:
        raise ValueError(kind)
    months = {"month": 1, "quarter": 3, "year": 12}[kind]
    year, month = divmod(start.month - 1 + months, 12)
    return start, date(start.year + year, month + 1, 1) - timedelta(days=1)


def projected(metric: str, value: float, elapsed: int, total: int) -> float:
    """Where a figure will end if the period goes on as it went: sums grow with the days,
    averages and windows stay."""
    if metric in SUMMED and elapsed:
        return round(value / elapsed * total, 1)
    return value


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length just before."""
    length = (end - start).days + 1
    return start - timedelta(days=length), start - timedelta(days=1)
