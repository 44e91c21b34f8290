"""The arq worker: its settings and every job it runs, registered in one place."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import gc
import logging
import signal
from typing import Any

from arq.cron import cron
from arq.worker import Worker, func
from redis.exceptions import RedisError

from gamification import tasks as rewards
from gamification.keys import Keys
from server.analytics.report import monthly_report
from server.analytics.store import roll_due
from server.audit import verify as audit_checks
from server.content.service import publish_due
from server.courses.tasks import notify_course_assigned, send_course_reminders
from server.db import close_database, open_database
from server.digest.tasks import daily_digest
from server.events.tasks import notify_event_invites, send_event_reminders
from server.hr.tasks import run_hr_import
from server.logs import setup_logging
from server.mail import compose, send
from server.models import Company, Employee
from server.posts.tasks import fan_out_mentions
from server.rewards import service as reward_service
from server.rewards import wheel
from server.rewards.notify import badges_earned
from server.rulesets.registry import RulesetRegistry
from server.services import Services, arq_redis_settings, job_deserializer, job_serializer
from server.settings import Settings
from server.stories.tasks import delete_expired_story_files

log = logging.getLogger("plaza.worker")


async def send_welcome_mail(ctx: dict[str, Any], employee_id: int) -> bool:
    services: Services = ctx["services"]
    employee = await Employee.get_or_none(id=employee_id)
    if employee is None:
        return False
    company = await Company.first()
    message = compose(
        services.settings,
        employee.email,
        employee.locale,
        "welcome",
        name=employee.name,
        email=employee.email,
        url=services.settings.base_url,
        company=company.name if company else "Plaza",
    )
    return await send(services.settings, message)


FUNCTIONS: list[Any] = [
    run_hr_import,
    send_welcome_mail,
    fan_out_mentions,
    notify_event_invites,
    send_event_reminders,
    notify_course_assigned,
    send_course_reminders,
    daily_digest,
    # Settlement jobs are one per hand-off time bucket: keeping their results would keep
    # ~50 keys a second for an hour.
    func(rewards.settle_pending, keep_result=0),
    func(rewards.settle_events, keep_result=0),
    rewards.rebuild_leaderboards,
]


async def expire_allowances(ctx: dict[str, Any]) -> int:
    """Cron: what managers left of past months' allowances goes back."""
    services: Services = ctx["services"]
    return await reward_service.expire_allowances(services.settings.zone)


async def audit_checkpoint(ctx: dict[str, Any]) -> str:
    """Cron: verify the audit chain and, when it holds, append a signed checkpoint of its
    head to a file outside the database (docs/audit.md)."""
    services: Services = ctx["services"]
    report = await audit_checks.verify(services.settings)
    if not report.ok:
        log.error(
            "audit chain broken; no checkpoint written",
            extra={"bad_seq": report.bad_seq, "reason": report.reason, "why": report.message},
        )
        return f"broken at {report.bad_seq}"
    checkpoint = await audit_checks.write_checkpoint(services.settings)
    return f"checkpoint {checkpoint.seq}"


async def publish_wheel_seeds(ctx: dict[str, Any]) -> list[str]:
    """Cron: this period's and the next period's seed exist, so each hash is public
    before any spin uses the seed."""
    services: Services = ctx["services"]
    return await wheel.ensure_seeds_ahead(services.settings.zone)


async def roll_up_analytics(ctx: dict[str, Any]) -> int:
    """Cron: today's figures so far, and any earlier day that late data changed."""
    services: Services = ctx["services"]
    return len(await roll_due(services.settings.zone))


async def daily_backup(ctx: dict[str, Any]) -> str:
    """Cron: one archive into the backup folder; the oldest beyond `backup_keep` go."""
    from server.backup import default_backup_dir, prune, write_backup

    settings: Settings = ctx["services"].settings
    path, _ = await write_backup(settings)
    prune(default_backup_dir(settings), settings.backup_keep)
    return str(path)


async def publish_scheduled(ctx: dict[str, Any]) -> list[int]:
    """Cron: scheduled posts whose time has come, each published exactly once."""
    return await publish_due(ctx["services"])


def cron_jobs(settings: Settings) -> list[Any]:
    every = settings.sweep_every_seconds
    backups = (
        [cron(daily_backup, hour=settings.backup_hour, minute=41, second=0, timeout=6 * 3600)]
        if settings.backup_keep
        else []
    )
    return [
        *backups,
        cron(rewards.sweep, second=set(range(0, 60, every)), run_at_startup=True),
        cron(expire_allowances, minute={7}, second=0),
        cron(publish_wheel_seeds, minute={3, 33}, second=0, run_at_startup=True),
        cron(send_event_reminders, minute=set(range(0, 60, 5)), second=0),
        cron(send_course_reminders, minute={12, 42}, second=0),
        # Every 10 s: a scheduled post appears within seconds of its time; after a restart
        # the first run publishes whatever fell due meanwhile.
        cron(publish_scheduled, second=set(range(0, 60, 10)), run_at_startup=True),
        # In UTC: 15:00 is the end of the working day in Moscow (the demo's zone).
        cron(daily_digest, hour=15, minute=0, second=0),
        # Expired stories are hidden at once; their files may wait up to an hour for this.
        cron(delete_expired_story_files, minute={23}, second=0),
        # Pages read only the aggregates: they lag the raw rows by at most ten minutes.
        cron(roll_up_analytics, minute=set(range(1, 60, 10)), second=30, run_at_startup=True),
        # In UTC, on the 1st: last month's report to the comms team (once each: Redis mark).
        cron(monthly_report, day=1, hour=6, minute=5, second=0),
        # Daily, at a quiet hour (UTC): a checkpoint of the audit chain outside the database.
        cron(audit_checkpoint, hour=1, minute=17, second=0),
    ]


class PlazaWorker(Worker):
    """arq's worker, whose shutdown always reaches `on_shutdown`.

    On SIGTERM arq cancels every job's task. A task cancelled before its job began, or
    while arq records the job's end, ends cancelled, and arq's own `close` then stops at
    `gather(tasks)`, before `on_shutdown`: the database stayed open, and aiosqlite's
    thread (not a daemon) kept the process from exiting, for good. A Redis error in
    `close` did the same."""

    async def close(self) -> None:
        if not self._handle_signals:
            self.handle_sig(signal.SIGUSR1)
        if self._pool is None:
            return
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)
        try:
            with contextlib.suppress(RedisError, OSError):
                await self.pool.delete(self.health_check_key)
        finally:
            try:
                if self.on_shutdown:
                    await self.on_shutdown(self.ctx)
            finally:
                with contextlib.suppress(RedisError, OSError):
                    await self.pool.aclose(close_connection_pool=True)
                self._pool = None


def make_worker(settings: Settings, *, manage_database: bool = True, **options: Any) -> Worker:
    """An arq worker. `manage_database=False` leaves Tortoise to the caller (a test that runs
    the worker in its own process and event loop)."""

    async def startup(ctx: dict[str, Any]) -> None:
        if manage_database:
            await open_database(settings)
        services = ctx["services"] = await Services.start(settings)
        ctx["rewards"] = rewards.Runtime(
            redis=services.redis,
            keys=services.keys,
            zone=settings.zone,
            rulesets=RulesetRegistry(settings.timezone),
            jobs=services.jobs,
            manager=services.emitter,
            sweep_after=settings.settle_sweep_seconds,
            after_settle=functools.partial(badges_earned, services),
        )
        # What start-up made (modules, models, ~220,000 objects) lives as long as the
        # process: out of the collector's sight, a full collection takes ~3 ms instead of
        # ~130 ms. One ran every five settlement batches, a sixth of the worker's time.
        # (`PLAZA_GC_FREEZE`, as for the web processes; off in tests, where many workers
        # start in one process.)
        if settings.gc_freeze:
            gc.freeze()

    async def shutdown(ctx: dict[str, Any]) -> None:
        # The database last and whatever happened before: an open SQLite connection's
        # thread keeps the process from exiting.
        try:
            services: Services | None = ctx.get("services")
            if services is not None:
                with contextlib.suppress(RedisError, OSError):
                    await services.close()
        finally:
            if manage_database:
                await close_database()

    if manage_database:
        setup_logging(settings)
    # How long handed-off events wait for the worker to look (arq's default is 0.5 s), so
    # awards reach wallets and boards well within a second. A poll is one ZRANGEBYSCORE:
    # twenty a second cost Redis nothing.
    options.setdefault("poll_delay", 0.05)
    return PlazaWorker(
        functions=FUNCTIONS,
        cron_jobs=cron_jobs(settings),
        redis_settings=arq_redis_settings(settings),
        queue_name=Keys(settings.redis_prefix).queue,
        job_serializer=job_serializer,
        job_deserializer=job_deserializer,
        on_startup=startup,
        on_shutdown=shutdown,
        max_tries=5,
        **options,
    )
