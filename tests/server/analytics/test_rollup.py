"""The pure roll-up equals a brute-force count over the raw rows, for any stream of visits
and actions across time zones and midnights; the small-cell rule holds in every breakdown."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from server.analytics import figures, rollup

ZONES = ["UTC", "Europe/Moscow", "Asia/Vladivostok", "America/New_York", "Pacific/Chatham"]
_START = datetime(2026, 3, 27, tzinfo=UTC)  # spans the EU and US clock changes
PEOPLE = {
    i: rollup.Person(
        store=str(i % 3), city=str(i % 2), region="1", department=str(i % 4), role="employee"
    )
    for i in range(1, 9)
}
TYPES = ["post.viewed", "post.created", "comment.created", "reaction.added", "post.read_confirmed",
         "user.daily_login", "event.rsvp", "story.viewed"]  # fmt: skip

_instants = st.integers(0, 10 * 24 * 3600).map(lambda s: _START + timedelta(seconds=s))
_visits = st.builds(
    lambda who, at, length, phone: rollup.Visit(who, at, at + timedelta(seconds=length), phone),
    st.integers(1, 8),
    _instants,
    st.integers(0, 6 * 3600),
    st.booleans(),
)
_actions = st.builds(rollup.Action, st.integers(1, 8), st.sampled_from(TYPES), _instants)


def _brute(day: date, zone: ZoneInfo, visits: list[rollup.Visit], actions: list[rollup.Action],
           dimension: str, key: str) -> dict[str, int]:  # fmt: skip
    def here(who: int) -> bool:
        return PEOPLE[who].key(dimension) == key

    def on(at: datetime, d: date) -> bool:
        return at.astimezone(zone).date() == d

    def active_on(d: date) -> set[int]:
        return {v.employee_id for v in visits if on(v.started, d) and here(v.employee_id)} | {
            a.employee_id for a in actions if on(a.at, d) and here(a.employee_id)
        }

    today = active_on(day)
    ever_before = set().union(*(active_on(day - timedelta(days=n)) for n in range(1, 12)))
    mine_v = [v for v in visits if on(v.started, day) and here(v.employee_id)]
    mine_a = [a for a in actions if on(a.at, day) and here(a.employee_id)]

    def count(kind: str) -> int:
        return sum(1 for a in mine_a if a.type == kind)

    def window(n: int) -> int:
        return len(set().union(*(active_on(day - timedelta(days=k)) for k in range(n))))

    return {
        "active": len(today),
        "sessions": len(mine_v),
        "session_seconds": sum(
            int(min(v.last_seen - v.started, timedelta(hours=4)).total_seconds()) for v in mine_v
        ),
        "views": count("post.viewed"),
        "posts": count("post.created"),
        "comments": count("comment.created"),
        "reactions": count("reaction.added"),
        "confirmations": count("post.read_confirmed"),
        "engaged": len({a.employee_id for a in mine_a if a.type not in rollup.READING}),
        "authors": len(
            {a.employee_id for a in mine_a if a.type in ("post.created", "comment.created")}
        ),
        "new": len(today - ever_before),
        "returning": len(today & ever_before),
        "phone": len({v.employee_id for v in mine_v if v.phone}),
        "web": len({v.employee_id for v in mine_v if not v.phone}),
        "wau": window(7),
        "mau": window(30),
    }


@settings(max_examples=60, deadline=None)
@given(st.lists(_visits, max_size=25), st.lists(_actions, max_size=40), st.sampled_from(ZONES))
def test_rolled_up_figures_equal_a_brute_force_count(
    visits: list[rollup.Visit], actions: list[rollup.Action], zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    first = rollup.local_day(_START, zone)
    stored: list[rollup.PersonDay] = []
    ever: set[int] = set()
    for n in range(12):  # every local day the stream touches, in order, as the worker does
        day = first + timedelta(days=n)
        today = rollup.person_days(day, zone, visits, actions, PEOPLE, ever)
        window = [r for r in stored if 0 < (day - r.day).days < 30]
        cells = rollup.cells(day, today, window)
        for (dimension, key), got in cells.items():
            assert got == _brute(day, zone, visits, actions, dimension, key), (day, dimension, key)
        for dimension in rollup.DIMENSIONS:  # no cell missing: every active person counted
            assert sum(c["active"] for (d, _), c in cells.items() if d == dimension) == len(today)
        stored.extend(today)
        ever |= {r.employee_id for r in today}


@given(st.dictionaries(st.text(min_size=1, max_size=4), st.integers(0, 12), max_size=12))
def test_no_breakdown_cell_shows_fewer_than_five_people(people: dict[str, int]) -> None:
    rows = {key: {"people": n, "views": n * 3} for key, n in people.items()}
    shown = rollup.merge_small(rows, people="people")
    assert all(cell["people"] >= rollup.SMALL_CELL for cell in shown.values())
    hidden = sum(n for k, n in people.items() if n < rollup.SMALL_CELL)
    assert shown.get(rollup.OTHERS, {}).get("people", 0) in (0, hidden)
    # Nothing is counted twice, and what is dropped is only a too-small remainder.
    total = sum(c["people"] for c in shown.values())
    assert total == sum(people.values()) - (hidden if hidden < rollup.SMALL_CELL else 0)


def test_periods_and_projection() -> None:
    assert figures.period_of("week", date(2026, 12, 6)) == (date(2026, 11, 30), date(2026, 12, 6))
    assert figures.period_of("month", date(2026, 2, 10)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert figures.period_of("quarter", date(2026, 11, 5)) == (
        date(2026, 10, 1),
        date(2026, 12, 31),
    )
    assert figures.period_of("year", date(2026, 6, 1)) == (date(2026, 1, 1), date(2026, 12, 31))
    assert figures.projected("views", 100, 10, 30) == 300
    assert figures.projected("active", 40, 10, 30) == 40
    days = [{"active": 10, "mau": 20, "sessions": 4, "session_seconds": 1200, "views": 7}] * 2
    values = figures.headline(days, 2)
    assert values["active"] == 10 and values["dau_mau"] == 0.5 and values["views"] == 14
    assert values["avg_session_minutes"] == 5.0


def test_reward_figures_say_what_issued_points_and_what_was_spent() -> None:
    from server.analytics.rewards import Transfer, reward_figures

    def t(kind: str, cur: str, debit: str, credit: str, amount: int, rule: str | None = None,
          user: int | None = 1) -> Transfer:  # fmt: skip
        return Transfer(kind, cur, debit, credit, amount, rule, user)

    figures = reward_figures(
        [
            t("award", "points", "points:rule:good_post", "points:user:1", 10, "good_post"),
            t("award", "points", "points:rule:good_post", "points:user:2", 10, "good_post", 2),
            t("reversal", "points", "points:user:2", "points:rule:good_post", 10, "good_post", 2),
            t("grant", "points", "points:grant", "points:user:3", 50, None, 3),
            t("shop_reserve", "points", "points:user:1", "points:hold:1", 30),
            t("shop_complete", "points", "points:hold:1", "points:shop", 30),
            t("shop_release", "points", "points:hold:4", "points:user:4", 20, None, 4),
            t("award", "spins", "spins:rule:streak", "spins:user:1", 1, "streak"),
            t("spin", "spins", "spins:user:1", "spins:wheel", 1),
        ],
        prizes_won=["mug", "mug", "day_off"],
        redemptions=[("pending", 30), ("completed", 100)],
        kudos=[(1, 2), (1, 3), (2, 3), (5, None)],  # the last one's recipient has left
    )
    assert figures[("points_issued", "good_post")] == 10  # 20 paid, 10 taken back
    assert figures[("points_reversed", "good_post")] == 10
    assert figures[("points_issued", "grant")] == 50
    assert figures[("points_redeemed", "")] == 30  # a release gives back, it issues nothing
    assert ("points_issued", "shop_release") not in figures
    assert figures[("spins_issued", "streak")] == 1 and figures[("spins_used", "")] == 1
    assert figures[("prizes_won", "mug")] == 2 and figures[("prizes_won", "day_off")] == 1
    assert figures[("redemptions", "completed")] == 1
    assert figures[("redemption_points", "completed")] == 100
    assert figures[("kudos", "")] == 4 and figures[("earners", "")] == 3
    assert figures[("kudos_givers", "")] == 3 and figures[("kudos_receivers", "")] == 2
