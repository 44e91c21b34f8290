from __future__ import annotations

from datetime import date

from rules.windows import describe, window_label


def test_labels() -> None:
    wednesday = date(2026, 3, 4)
    assert window_label("day", wednesday) == "2026-03-04"
    assert window_label("week", wednesday) == "week from 2026-03-02"
    assert window_label("week", date(2026, 3, 8)) == "week from 2026-03-02"  # Sunday
    assert window_label("week", date(2026, 3, 9)) == "week from 2026-03-09"  # Monday
    assert window_label("month", wednesday) == "2026-03"
    assert window_label("total", wednesday) == "total"


def test_describe() -> None:
    assert describe(3, 3, "day", "2026-03-03") == "3 of 3 this day (2026-03-03)"
    assert describe(1, 5, "total", "total") == "1 of 5 in total"
