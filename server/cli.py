"""The `plaza` command line."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from rules.cli import rules_group
from server.settings import Settings, SettingsError, load_settings

T = TypeVar("T")


def settings_or_exit() -> Settings:
    try:
        return load_settings()
    except SettingsError as exc:
        click.echo(f"plaza: {exc}", err=True)
        sys.exit(2)


def run_with_database(settings: Settings, body: Callable[[], Awaitable[T]]) -> T:
    from server.db import close_database, open_database
    from server.runner import private_redis

    async def main() -> T:
        await open_database(settings)
        try:
            return await body()
        finally:
            await close_database()

    with private_redis(settings):
        return asyncio.run(main())


@click.group()
def main() -> None:
    """Plaza: a corporate community server with a gamification engine."""


@main.command()
def migrate() -> None:
    """Apply database migrations (safe to run again)."""
    from server.db import apply_migrations

    settings = settings_or_exit()
    asyncio.run(apply_migrations(settings))
    click.echo(f"database is up to date ({settings.database_url})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int, help="web processes")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web server (HTTP API and Socket.IO)."""
    from server.runner import serve_web

    serve_web(settings_or_exit(), host, port, workers)


@main.command()
def worker() -> None:
    """Run one background-job worker."""
    from server.worker import make_worker

    make_worker(settings_or_exit()).run()


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
def up(host: str, port: int) -> None:
    """Everything on one machine: a private Redis, migrations, the web server and a worker."""
    from server.runner import run_all

    sys.exit(run_all(settings_or_exit(), host, port))


@main.command("openapi")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def openapi_command(output: Path | None) -> None:
    """Print the OpenAPI document (the web app's API types are generated from it)."""
    import orjson

    from server.app import build_api, plaza_version
    from server.openapi import build

    document = orjson.dumps(
        build(build_api().endpoints, plaza_version()), option=orjson.OPT_INDENT_2
    )
    if output is None:
        click.echo(document.decode())
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(document + b"\n")


@main.command()
def demo() -> None:
    """Load demo data (idempotent): an organisation, employees and their logins."""
    from server.demo import DEMO_PASSWORD, load_demo
    from server.services import Services

    settings = settings_or_exit()

    async def body() -> list[tuple[str, str]]:
        services = await Services.start(settings)
        try:
            return await load_demo(services)
        finally:
            await services.close()

    logins = run_with_database(settings, body)
    click.echo(f"demo data loaded; every demo login uses the password {DEMO_PASSWORD}")
    for email, role in logins:
        click.echo(f"  {role:<10} {email}")


@main.group()
def people() -> None:
    """Personal data: export and anonymise."""


@people.command("anonymise")
@click.argument("employee", type=int)
def people_anonymise(employee: int) -> None:
    """Blank a departed employee's profile (name, photo, contact fields, skills); their posts
    stay, shown as a former employee's, and the ledger is untouched."""
    from server.errors import ApiError
    from server.privacy import anonymise
    from server.services import Services

    settings = settings_or_exit()

    async def body() -> str:
        services = await Services.start(settings)
        try:
            return (await anonymise(employee, None, services)).name
        finally:
            await services.close()

    try:
        name = run_with_database(settings, body)
    except ApiError:
        click.echo(f"no such employee: {employee}", err=True)
        sys.exit(1)
    click.echo(f"employee {employee} is anonymised (shown as {name!r})")


@people.command("export")
@click.argument("employee", type=int)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def people_export(employee: int, output: Path) -> None:
    """Write one employee's data (JSON and their uploaded files) as a zip."""
    from server.models import Employee
    from server.privacy import export_zip

    settings = settings_or_exit()

    async def body() -> bytes | None:
        found = await Employee.get_or_none(id=employee)
        return None if found is None else await export_zip(found, None)

    data = run_with_database(settings, body)
    if data is None:
        click.echo(f"no such employee: {employee}", err=True)
        sys.exit(1)
    output.write_bytes(data)
    click.echo(f"wrote {output} ({len(data):,} bytes)")


@main.group()
def users() -> None:
    """Employees: HR import and dismissal."""


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--full", is_flag=True, help="The file lists every employee: dismiss the others.")
def import_users(file: Path, full: bool) -> None:
    """Create or update employees from an HR export (CSV or JSON), keyed by employee_id."""
    from server.hr.parse import ImportFileError, parse
    from server.hr.service import import_rows
    from server.services import Services

    settings = settings_or_exit()
    try:
        parsed = parse(file.read_bytes(), file.name)
    except ImportFileError as exc:
        click.echo(f"{file}: {exc}", err=True)
        sys.exit(1)

    async def body() -> Any:
        services = await Services.start(settings)
        try:
            with click.progressbar(
                length=len(parsed.rows), label="importing", file=sys.stderr
            ) as bar:
                return await import_rows(
                    parsed, full=full, redis=services.redis, keys=services.keys, progress=bar.update
                )
        finally:
            await services.close()

    summary = run_with_database(settings, body)
    click.echo(
        f"created {summary.created}, updated {summary.updated}, unchanged {summary.unchanged}, "
        f"dismissed {summary.dismissed}, rejected {len(summary.rejected)}"
    )
    for row in summary.rejected:
        click.echo(f"{file}:{row.line}: rejected {row.employee_id or '-'}: {row.reason}")
    for warning in summary.warnings:
        click.echo(f"{file}: warning: {warning}")
    sys.exit(1 if summary.rejected else 0)


@users.command("deactivate")
@click.argument("who", nargs=-1, required=True)
def deactivate(who: tuple[str, ...]) -> None:
    """Dismiss employees by e-mail or employee id: every session and token stops at once."""
    from server import audit
    from server.models import Employee
    from server.people import dismiss
    from server.services import Services

    settings = settings_or_exit()

    async def body() -> tuple[int, list[str]]:
        ids, unknown = [], []
        for name in who:
            employee = await Employee.get_or_none(email=name.lower()) or await Employee.get_or_none(
                employee_id=name
            )
            if employee is None:
                unknown.append(name)
            else:
                ids.append(employee.id)
        active = await Employee.filter(id__in=ids, status="active").values_list("id", "name")
        services = await Services.start(settings)
        try:
            count = await dismiss(ids, services.redis, services.keys)
            for employee_id, name in active:
                await audit.record(
                    None,
                    "employee.deactivate",
                    f"employee:{employee_id}",
                    {"name": name, "via": "cli"},
                )
            return count, unknown
        finally:
            await services.close()

    count, unknown = run_with_database(settings, body)
    click.echo(f"dismissed {count}")
    for name in unknown:
        click.echo(f"no such employee: {name}", err=True)
    sys.exit(1 if unknown else 0)


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(["employee", "manager", "comms", "moderator", "admin"]))
def set_role(email: str, role: str) -> None:
    """Give an employee a role (e.g. make the first admin)."""
    from redis.asyncio import Redis
    from redis.exceptions import RedisError
    from tortoise.transactions import in_transaction

    from gamification.keys import Keys
    from server import audit
    from server.caching import invalidate
    from server.models import Employee, Role
    from server.people import rooms_changed

    settings = settings_or_exit()

    async def body() -> tuple[bool, bool]:
        employee = await Employee.get_or_none(email=email.lower())
        if employee is None:
            return False, False
        async with in_transaction():
            await Employee.filter(id=employee.id).update(role=Role(role))
            if employee.role != role:
                await audit.record(
                    None,
                    "employee.role.change",
                    f"employee:{employee.id}",
                    {"from": employee.role.value, "to": role, "name": employee.name, "via": "cli"},
                )
        redis = Redis.from_url(settings.redis_url)
        keys = Keys(settings.redis_prefix)
        try:  # the role is saved; moving open tabs is a courtesy that must not fail it
            await rooms_changed(redis, keys, [employee.id])
            # Web processes drop what they cached of the person (the role decides access).
            await invalidate(redis, keys, employees=[employee.id])
            return True, True
        except (RedisError, OSError):
            return True, False
        finally:
            await redis.aclose()

    found, live = run_with_database(settings, body)
    if not found:
        click.echo(f"no such employee: {email}", err=True)
        sys.exit(1)
    click.echo(f"{email} is now {role}")
    if not live:
        click.echo(
            "Redis is unreachable: open tabs get the new role when they reconnect, and running"
            " web processes may go on with the old one for up to 5 minutes",
            err=True,
        )


main.add_command(rules_group, "rules")


@rules_group.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("-m", "--message", default="", help="Why: shown in the audit trail.")
def publish_rules(file: Path, message: str) -> None:
    """Check a ruleset file, save it as a version and make it live now."""
    from server.errors import ApiError
    from server.rulesets.service import publish, save_draft
    from server.services import Services

    settings = settings_or_exit()

    text = file.read_text(encoding="utf-8")

    async def body() -> str:
        row, _ = await save_draft(text, None, message, settings.timezone)
        services = await Services.start(settings)
        try:
            await publish(row, by=None, message=message, redis=services.redis, keys=services.keys)
        finally:
            await services.close()
        return row.version

    try:
        version = run_with_database(settings, body)
    except ApiError as exc:
        for problem in exc.params["extra"]["problems"]:  # type: ignore[index]
            click.echo(f"{file}:{problem['line']}:{problem['column']}: {problem['message']}")
        sys.exit(1)
    click.echo(f"published {file} as version {version[:12]}")


@rules_group.command("history")
def rules_history() -> None:
    """Every publication, newest first."""
    from server.models import RulesetPublication

    settings = settings_or_exit()

    async def body() -> list[RulesetPublication]:
        return await RulesetPublication.all().order_by("-published_at").select_related("ruleset")

    for row in run_with_database(settings, body):
        who = row.published_by_id or "system"
        click.echo(
            f"{row.published_at:%Y-%m-%d %H:%M:%S} {row.action:<8} version {row.ruleset_id} "
            f"({row.ruleset.version[:12]}) by {who}: {row.message}"
        )


@main.group()
def ledger() -> None:
    """The rewards ledger."""


@ledger.command("verify")
def ledger_verify() -> None:
    """Check the ledger's invariants; exit 1 and list the violations if any is broken."""
    from gamification.sql import default
    from gamification.store import verify

    settings = settings_or_exit()

    async def body() -> list[str]:
        return await verify(default())

    problems = run_with_database(settings, body)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo("ledger is sound: every currency sums to zero, balances match their transfers")


@main.group()
def leaderboards() -> None:
    """Leaderboards in Redis, rebuilt from and checked against the ledger."""


def _boards(settings: Settings, action: str) -> Any:
    from gamification.boards import Boards
    from server.services import Services

    async def body() -> Any:
        services = await Services.start(settings)
        try:
            boards = Boards(services.redis, services.keys, settings.zone)
            if action == "rebuild":
                return await boards.rebuild()
            return await boards.check()
        finally:
            await services.close()

    return run_with_database(settings, body)


@leaderboards.command("rebuild")
def leaderboards_rebuild() -> None:
    """Rebuild every leaderboard from the ledger."""
    count = _boards(settings_or_exit(), "rebuild")
    if count is None:
        click.echo("another rebuild is running", err=True)
        sys.exit(1)
    click.echo(f"rebuilt {count} boards")


@leaderboards.command("check")
def leaderboards_check() -> None:
    """Compare Redis with the ledger; exit 1 with the differences."""
    problems = _boards(settings_or_exit(), "check")
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    click.echo("leaderboards equal the ledger")


@main.command()
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The archive to write (default: var/backups/plaza-<time>.tar).",
)
def backup(output: Path | None) -> None:
    """Write one archive: database, uploads, ruleset and wheel history, secret key, manifest."""
    from server.backup import BackupError, write_backup

    settings = settings_or_exit()
    try:
        path, manifest = run_with_database(settings, lambda: write_backup(settings, output))
    except BackupError as exc:
        click.echo(f"plaza backup: {exc}", err=True)
        sys.exit(1)
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size:,} bytes, {len(manifest['members'])} files)")


@main.command()
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace the data of a non-empty instance.")
def restore(archive: Path, force: bool) -> None:
    """Restore an archive of `plaza backup` into an empty instance (stop Plaza first)."""
    from server.backup import BackupError
    from server.backup import restore as restore_archive
    from server.runner import private_redis

    settings = settings_or_exit()
    try:
        with private_redis(settings):
            report = asyncio.run(restore_archive(settings, archive, force=force))
    except BackupError as exc:
        click.echo(f"plaza restore: {exc}", err=True)
        sys.exit(1)
    manifest = report.manifest
    click.echo(
        f"restored {archive} (made {manifest['created_at']} by Plaza {manifest['plaza_version']})"
    )
    click.echo(f"rebuilt {report.boards} leaderboards")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for problem in report.ledger_problems:
        click.echo(f"ledger: {problem}", err=True)
    if report.ledger_problems:
        sys.exit(1)
    click.echo("ledger is sound")


@main.group("wheel")
def wheel_group() -> None:
    """The wheel of fortune."""


@wheel_group.command("check")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def wheel_check(file: Path) -> None:
    """Check a wheel file; exit 1 with file:line:col: message per problem."""
    from gamification.wheel import load_wheel
    from rules.errors import RulesetInvalid

    try:
        wheel = load_wheel(file.read_text(encoding="utf-8"), str(file))
    except RulesetInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        sys.exit(1)
    click.echo(f"{file}: ok, {len(wheel.segments)} segments, total weight {sum(wheel.weights)}")


@wheel_group.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def wheel_publish(file: Path) -> None:
    """Check a wheel file and make it live."""
    from server.errors import ApiError
    from server.rewards.wheel import publish_wheel

    settings = settings_or_exit()
    text = file.read_text(encoding="utf-8")
    try:
        wheel = run_with_database(settings, lambda: publish_wheel(text))
    except ApiError as exc:
        for problem in exc.params["extra"]["problems"]:  # type: ignore[index]
            click.echo(f"{file}:{problem['line']}:{problem['column']}: {problem['message']}")
        sys.exit(1)
    click.echo(f"published {file} as version {wheel.version[:12]}")


@wheel_group.command("verify")
def wheel_verify() -> None:
    """Recompute every spin of every period whose seed is revealed; exit 1 on a mismatch."""
    from server.rewards.wheel import verify

    checked, problems = run_with_database(settings_or_exit(), verify)
    for problem in problems:
        click.echo(problem)
    click.echo(f"checked {checked} spins: {len(problems)} problems")
    if problems:
        sys.exit(1)


@main.group("analytics")
def analytics_group() -> None:
    """The analytics' daily aggregates."""


@analytics_group.command("rebuild")
@click.option("--from", "since", required=True, type=click.DateTime(["%Y-%m-%d"]),
              help="The first local day to recompute (YYYY-MM-DD).")  # fmt: skip
@click.option("--to", "until", default=None, type=click.DateTime(["%Y-%m-%d"]),
              help="The last one (default: today).")  # fmt: skip
def analytics_rebuild(since: datetime, until: datetime | None) -> None:
    """Recompute the daily aggregates from the raw visits and activity."""
    from server.analytics.store import rebuild

    settings = settings_or_exit()
    last = until.date() if until else None
    days = run_with_database(settings, lambda: rebuild(since.date(), settings.zone, last))
    click.echo(f"rolled up {days} days from {since.date()}")


@main.group("audit")
def audit_group() -> None:
    """The tamper-evident audit log (docs/audit.md)."""


@audit_group.command("verify")
@click.option("--no-save", is_flag=True, help="Do not keep this result as the last verification.")
def audit_verify(no_save: bool) -> None:
    """Check the whole hash chain and the signed checkpoints: exit 0 with the row count and
    the head hash, or 1 naming the first bad row."""
    from server.audit.verify import verify

    settings = settings_or_exit()
    report = run_with_database(settings, lambda: verify(settings, save=not no_save))
    if report.ok:
        click.echo(
            f"audit log ok: {report.rows} rows, head {report.head_seq} {report.head_hash}, "
            f"{report.checkpoints} checkpoints match"
        )
        return
    click.echo(f"audit log BROKEN at row {report.bad_seq} ({report.reason}): {report.message}")
    sys.exit(1)


@audit_group.command("checkpoint")
def audit_checkpoint() -> None:
    """Append the chain's head, HMAC-signed, to var/audit/checkpoints.jsonl (the daily job
    does this too). Refuses when the chain does not verify."""
    from server.audit.verify import checkpoint_path, verify, write_checkpoint

    settings = settings_or_exit()

    async def body() -> Any:
        report = await verify(settings)
        if not report.ok:
            return report
        return await write_checkpoint(settings)

    result = run_with_database(settings, body)
    if getattr(result, "ok", True) is False:
        click.echo(f"audit log BROKEN at row {result.bad_seq} ({result.reason}): {result.message}")
        click.echo("no checkpoint written", err=True)
        sys.exit(1)
    click.echo(f"checkpoint: row {result.seq} {result.hash} -> {checkpoint_path(settings)}")


if __name__ == "__main__":
    main()
