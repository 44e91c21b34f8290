"""The monthly report reaches every comms person once, in their language, with last
month's figures against the month before."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from aiosmtpd.controller import Controller

from server.analytics import store
from server.analytics.report import monthly_report
from server.models import Employee
from tests.community import make_org
from tests.conftest import LiveServer, free_port
from tests.server.analytics.test_analytics_db import ZONE, _at, _visit
from tests.server.test_worker import Sink, subject

NOVEMBER = date(2026, 11, 10)


@pytest.fixture
def smtp_sink() -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


async def test_the_monthly_report_is_mailed_once_to_each_comms_person(
    live: LiveServer, smtp_sink: tuple[Sink, int]
) -> None:
    sink, port = smtp_sink
    live.settings.__dict__["smtp_url"] = f"smtp://127.0.0.1:{port}"
    org = await make_org()
    second = await Employee.create(
        email="comms2@example.com", name="Second Comms", role="comms", locale="ru"
    )
    for who in (org.alice, org.bob, org.carol):
        await _visit(who, _at(NOVEMBER, 10), 12)
    await store.rebuild(date(2026, 10, 1), ZONE, date(2026, 11, 30))
    ctx = {"services": live.services}
    assert await monthly_report(ctx, "2026-12-01") == 2
    assert await monthly_report(ctx, "2026-12-01") == 0  # a second run sends nothing
    by_to = {m["To"]: m for m in sink.messages}
    assert set(by_to) == {org.comms.email, second.email}
    english, russian = by_to[org.comms.email], by_to[second.email]
    assert subject(english) == "Plaza community report for 2026-11"
    assert subject(russian) == "Отчёт о портале Plaza за 2026-11"
    text = english.get_payload(decode=True).decode()
    # Three people active on one day of 30: 0.1 a day; three active in the month.
    assert "- Daily active people: 0.1 (0)" in text
    assert "- Monthly active: 3 (0)" in text
    assert "/admin/analytics/report?month=2026-11" in text
    assert "Активных за месяц: 3 (0)" in russian.get_payload(decode=True).decode()
