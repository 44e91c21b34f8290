"""The monthly report mailed to the comms team: last month's headline figures against the
month before, in each reader's language, with a link to the printable page. Sent once per
person and month, however often the job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from server.analytics import figures, rollup
from server.i18n import translate
from server.mail import compose, send
from server.models import DailyCell, Employee, EmployeeStatus, Role

# The figures the mail lists, in this order.
LINES = ("active", "mau", "dau_mau", "avg_session_minutes", "views", "posts", "comments",
         "reactions", "new")  # fmt: skip


def previous_month(today: date) -> tuple[date, date]:
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


async def company_days(start: date, end: date) -> list[dict[str, Any]]:
    """The company cell of each rolled day in [start, end], in order: what the headline
    figures of the dashboard, the goals and this report are made from."""
    rows: list[dict[str, Any]] = (
        await DailyCell.filter(dimension="company", day__gte=start, day__lte=end)
        .order_by("day")
        .values("day", *rollup.METRICS)
    )
    return rows


async def month_figures(start: date, end: date) -> dict[str, float]:
    return figures.headline(await company_days(start, end), (end - start).days + 1)


def _value(metric: str, value: float) -> str:
    return f"{value:.1%}" if metric == "dau_mau" else f"{value:,.1f}".removesuffix(".0")


def body_lines(locale: str, now: dict[str, float], before: dict[str, float]) -> str:
    rows = []
    for metric in LINES:
        name = translate(locale, f"mail.analytics.metric.{metric}")
        rows.append(f"- {name}: {_value(metric, now[metric])} ({_value(metric, before[metric])})")
    return "\n".join(rows)


async def monthly_report(ctx: dict[str, Any], today_iso: str | None = None) -> int:
    """Cron, on the 1st: mails last month's report to every active comms person."""
    services = ctx["services"]
    settings = services.settings
    today = (
        date.fromisoformat(today_iso)
        if today_iso
        else datetime.now(UTC).astimezone(settings.zone).date()
    )
    start, end = previous_month(today)
    before_start, before_end = previous_month(start)
    now, before = await month_figures(start, end), await month_figures(before_start, before_end)
    month = start.strftime("%Y-%m")
    url = f"{settings.base_url.rstrip('/')}/admin/analytics/report?month={month}"
    sent = 0
    readers = await Employee.filter(role=Role.COMMS, status=EmployeeStatus.ACTIVE)
    for reader in readers:
        # Once per person and month, even if the job runs again (a retry, two workers).
        mark = f"{services.keys.prefix}:analytics:report:{month}:{reader.id}"
        if not await services.redis.set(mark, "1", nx=True, ex=60 * 60 * 24 * 62):
            continue
        message = compose(
            settings,
            reader.email,
            reader.locale,
            "analytics_report",
            name=reader.name,
            month=month,
            lines=body_lines(reader.locale, now, before),
            url=url,
        )
        if await send(settings, message):
            sent += 1
    return sent
