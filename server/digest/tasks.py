"""The digest job (cron, daily): build the day's digest, then mail it to every active
employee once, in their language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError

from server.community.sql import ints
from server.digest.service import build_digest, digest_posts, title_of
from server.mail import compose, send
from server.models import Company, DigestDelivery, Employee, EmployeeStatus
from server.services import Services


async def daily_digest(ctx: dict[str, Any], day_iso: str | None = None) -> int:
    services: Services = ctx["services"]
    settings = services.settings
    day = (
        date.fromisoformat(day_iso)
        if day_iso
        else datetime.now(UTC).astimezone(settings.zone).date()
    )
    digest = await build_digest(day, settings.zone)
    posts = await digest_posts(digest)
    if not posts:
        return 0
    base = settings.base_url.rstrip("/")
    items = "\n".join(f"- {title_of(p)}\n  {base}/posts/{p.id}" for p in posts)
    company = await Company.first()
    sent = 0
    done = set(ints(await DigestDelivery.filter(day=day).values_list("employee_id", flat=True)))
    async for employee in Employee.filter(status=EmployeeStatus.ACTIVE).order_by("id"):
        if employee.id in done:
            continue
        try:  # claim first: a second run (or worker) skips whoever is claimed
            await DigestDelivery.create(day=day, employee_id=employee.id)
        except IntegrityError:
            continue
        message = compose(
            settings,
            employee.email,
            employee.locale,
            "digest",
            name=employee.name,
            company=company.name if company else "Plaza",
            day=day.isoformat(),
            items=items,
            url=f"{base}/digest/{day.isoformat()}",
        )
        if await send(settings, message):
            sent += 1
    return sent
