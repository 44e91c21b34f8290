"""/api/rulesets: the comms team's workflow (check, save, test, diff, dry run, publish,
roll back) with its audit trail."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from rules.describe import describe
from rules.ruleset import check_ruleset
from rules.testing import run_tests
from server.api import Api, Ctx
from server.errors import ApiError, not_found
from server.i18n import localiser
from server.models import Role, RulesetPublication, RulesetVersion
from server.rulesets import jobs, service
from server.schemas import Strict

api = Api()
EDITORS = [Role.COMMS, Role.ADMIN]
MAX_RULESET_CHARS = 256 * 1024


class RulesetText(Strict):
    text: str = Field(max_length=MAX_RULESET_CHARS)
    message: str = Field(default="", max_length=500)


class Problem(BaseModel):
    line: int
    column: int
    message: str


class CheckResult(BaseModel):
    ok: bool
    version: str
    problems: list[Problem]


class VersionOut(BaseModel):
    id: int
    version: str
    author_id: int | None
    message: str
    created_at: datetime
    live: bool


class VersionDetail(VersionOut):
    text: str


class VersionList(BaseModel):
    versions: list[VersionOut]


class PublishBody(Strict):
    message: str = Field(default="", max_length=500)


class PublicationOut(BaseModel):
    id: int
    ruleset_id: int
    version: str
    action: str
    published_by_id: int | None
    message: str
    published_at: datetime


class AuditTrail(BaseModel):
    publications: list[PublicationOut]


class CaseOut(BaseModel):
    name: str
    passed: bool
    lines: list[str]


class TestReport(BaseModel):
    passed: bool
    cases: list[CaseOut]


class DiffQuery(Strict):
    from_id: int = Field(alias="from")
    to_id: int = Field(alias="to")


class DiffOut(BaseModel):
    diff: str


class DryRunBody(Strict):
    days: int = Field(default=30, ge=1, le=366)


class Pair(BaseModel):
    published: int
    draft: int


class StoreRow(BaseModel):
    store: str  # the store's code, "" for people without a store
    people: int
    points: Pair
    spins: Pair


class PrizeCost(BaseModel):
    wheel_version: str
    per_spin: float  # points: sum of weight x value / sum of weights of the live wheel
    published: float
    draft: float


class DryRunOut(BaseModel):
    since: str
    until: str
    events: int
    draft_version: str
    published_version: str
    rules: dict[str, dict[str, int]]
    points: dict[str, int]
    spins: dict[str, int]
    movers: list[dict[str, object]]
    rule_points: dict[str, Pair]
    stores: list[StoreRow]
    prize_cost: PrizeCost


class DryRunJob(BaseModel):
    id: str
    state: str  # running | done | failed | cancelled
    done: int  # events judged so far (each event counts twice: once per ruleset)
    total: int  # 0 while the events are still being read
    error: str
    report: DryRunOut | None


class LanguageField(BaseModel):
    name: str
    type: str
    help: str
    kind: str = ""


class LanguageEvent(BaseModel):
    type: str
    fields: list[LanguageField]
    reverses_by: str | None


class LanguageKey(BaseModel):
    key: str
    type: str
    required: bool
    values: list[str]
    help: str


class LanguageLevel(BaseModel):
    path: list[str]  # keys from the top; "*" is a name you choose; list items add nothing
    keys: list[LanguageKey]


class LanguageFunction(BaseModel):
    name: str
    signature: str
    help: str
    example: str


class LanguageRoot(BaseModel):
    name: str
    help: str


class LanguageOut(BaseModel):
    common_fields: list[LanguageField]
    derived_fields: list[LanguageField]
    events: list[LanguageEvent]
    profile_fields: list[LanguageField]
    roots: list[LanguageRoot]
    functions: list[LanguageFunction]
    levels: list[LanguageLevel]
    test_event_keys: list[LanguageKey]


async def _version(ctx: Ctx) -> RulesetVersion:
    row = await RulesetVersion.get_or_none(id=ctx.path_int("id"))
    if row is None:
        raise not_found()
    return row


def _out(row: RulesetVersion, live_id: int | None) -> VersionOut:
    return VersionOut(
        id=row.id,
        version=row.version,
        author_id=row.author_id,
        message=row.message,
        created_at=row.created_at,
        live=row.id == live_id,
    )


def _detail(row: RulesetVersion, live_id: int | None) -> VersionDetail:
    return VersionDetail(**_out(row, live_id).model_dump(), text=row.text)


async def _live_id() -> int | None:
    live = await service.live_publication()
    return live.ruleset_id if live else None


def _zone(ctx: Ctx) -> str:
    return ctx.services.settings.timezone


@api.route(
    "POST",
    "/api/rulesets/check",
    summary="Check a ruleset without saving it",
    tags=["rules"],
    body=RulesetText,
    response=CheckResult,
    roles=EDITORS,
)
async def check(ctx: Ctx, body: RulesetText) -> CheckResult:
    # The same problems as loading it (compile_or_422), without building the ruleset.
    version, problems = check_ruleset(body.text, "ruleset.yaml", await service.shop_item_ids())
    return CheckResult(
        ok=not problems,
        version=version,
        problems=[Problem(line=p.line, column=p.column, message=p.message) for p in problems],
    )


@api.route(
    "GET",
    "/api/rulesets/language",
    summary=(
        "The rule language: event types and fields, CEL functions, keys at each level; "
        "help texts in the user's language"
    ),
    tags=["rules"],
    response=LanguageOut,
    roles=EDITORS,
)
async def rules_language(ctx: Ctx) -> LanguageOut:
    return _language(ctx.locale)


@functools.cache
def _language(locale: str) -> LanguageOut:
    return LanguageOut.model_validate(describe(localiser(locale)))


@api.route(
    "GET",
    "/api/rulesets",
    summary="Every saved ruleset version, newest first",
    tags=["rules"],
    response=VersionList,
    roles=EDITORS,
)
async def list_versions(ctx: Ctx) -> VersionList:
    live_id = await _live_id()
    rows = await RulesetVersion.all().order_by("-id")
    return VersionList(versions=[_out(r, live_id) for r in rows])


@api.route(
    "POST",
    "/api/rulesets",
    summary="Save a checked ruleset as a draft version",
    tags=["rules"],
    body=RulesetText,
    response=VersionDetail,
    status=201,
    roles=EDITORS,
)
async def save(ctx: Ctx, body: RulesetText) -> VersionDetail:
    row, _ = await service.save_draft(body.text, ctx.me.id, body.message, _zone(ctx))
    return _detail(row, await _live_id())


@api.route(
    "GET",
    "/api/rulesets/live",
    summary="The ruleset live now",
    tags=["rules"],
    response=VersionDetail,
    roles=EDITORS,
)
async def live(ctx: Ctx) -> VersionDetail:
    publication = await service.live_publication()
    if publication is None:
        raise not_found()
    row = publication.ruleset
    return _detail(row, row.id)


@api.route(
    "GET",
    "/api/rulesets/audit",
    summary="Every publication and roll-back, newest first",
    tags=["rules"],
    response=AuditTrail,
    roles=EDITORS,
)
async def audit(ctx: Ctx) -> AuditTrail:
    rows = await RulesetPublication.all().order_by("-published_at").select_related("ruleset")
    return AuditTrail(
        publications=[
            PublicationOut(
                id=r.id,
                ruleset_id=r.ruleset_id,
                version=r.ruleset.version,
                action=r.action,
                published_by_id=r.published_by_id,
                message=r.message,
                published_at=r.published_at,
            )
            for r in rows
        ]
    )


@api.route(
    "GET",
    "/api/rulesets/diff",
    summary="Unified diff of two versions (?from=ID&to=ID)",
    tags=["rules"],
    query=DiffQuery,
    response=DiffOut,
    roles=EDITORS,
)
async def diff(ctx: Ctx, query: DiffQuery) -> DiffOut:
    old = await RulesetVersion.get_or_none(id=query.from_id)
    new = await RulesetVersion.get_or_none(id=query.to_id)
    if old is None or new is None:
        raise not_found()
    return DiffOut(diff=service.text_diff(old, new))


@api.route(
    "GET",
    "/api/rulesets/{id:int}",
    summary="One ruleset version with its text",
    tags=["rules"],
    response=VersionDetail,
    roles=EDITORS,
)
async def get_version(ctx: Ctx) -> VersionDetail:
    row = await _version(ctx)
    return _detail(row, await _live_id())


@api.route(
    "POST",
    "/api/rulesets/{id:int}/test",
    summary="Run the version's `tests:` block",
    tags=["rules"],
    response=TestReport,
    roles=EDITORS,
)
async def test(ctx: Ctx) -> TestReport:
    row = await _version(ctx)
    results = run_tests(service.compile_or_422(row.text, _zone(ctx)))
    cases = [CaseOut(name=r.name, passed=r.passed, lines=list(r.lines)) for r in results]
    return TestReport(passed=all(c.passed for c in cases), cases=cases)


@api.route(
    "POST",
    "/api/rulesets/{id:int}/dry-run",
    summary="Compare this version with the live one over the stored events of a period",
    tags=["rules"],
    body=DryRunBody,
    response=DryRunOut,
    roles=EDITORS,
)
async def dry_run(ctx: Ctx, body: DryRunBody) -> DryRunOut:
    row = await _version(ctx)
    draft = service.compile_or_422(row.text, _zone(ctx))
    publication = await service.live_publication()
    published = (
        service.compile_or_422(publication.ruleset.text, _zone(ctx)) if publication else None
    )
    return DryRunOut(**await service.dry_run(draft, published, body.days))


@api.route(
    "POST",
    "/api/rulesets/{id:int}/dry-runs",
    summary="Start a dry run in the background; poll it for progress and the report",
    tags=["rules"],
    body=DryRunBody,
    response=DryRunJob,
    status=202,
    roles=EDITORS,
)
async def start_dry_run(ctx: Ctx, body: DryRunBody) -> DryRunJob:
    row = await _version(ctx)
    draft = service.compile_or_422(row.text, _zone(ctx))
    publication = await service.live_publication()
    published = (
        service.compile_or_422(publication.ruleset.text, _zone(ctx)) if publication else None
    )

    async def work(progress: Callable[[int, int], None]) -> dict[str, Any]:
        return await service.dry_run(draft, published, body.days, progress)

    try:
        job = jobs.start(ctx.me.id, work)
    except RuntimeError:
        raise ApiError(429, "too_many_requests", seconds=60) from None
    return _job_out(job)


def _job_out(job: jobs.Job) -> DryRunJob:
    return DryRunJob(
        id=job.id,
        state=job.state,
        done=job.done,
        total=job.total,
        error=job.error,
        report=DryRunOut(**job.report) if job.report is not None else None,
    )


def _job(ctx: Ctx) -> jobs.Job:
    job = jobs.get(ctx.request.path_params["job"])
    if job is None or job.owner != ctx.me.id:
        raise not_found()
    return job


@api.route(
    "GET",
    "/api/rulesets/dry-runs/{job}",
    summary="A background dry run: its progress, then its report",
    tags=["rules"],
    response=DryRunJob,
    roles=EDITORS,
)
async def get_dry_run(ctx: Ctx) -> DryRunJob:
    return _job_out(_job(ctx))


@api.route(
    "DELETE",
    "/api/rulesets/dry-runs/{job}",
    summary="Cancel a background dry run",
    tags=["rules"],
    response=DryRunJob,
    roles=EDITORS,
)
async def cancel_dry_run(ctx: Ctx) -> DryRunJob:
    job = _job(ctx)
    jobs.cancel(job)
    return _job_out(job)


@api.route(
    "POST",
    "/api/rulesets/{id:int}/publish",
    summary="Make this version live now (also how to roll back to an earlier one)",
    tags=["rules"],
    body=PublishBody,
    response=PublicationOut,
    status=201,
    roles=EDITORS,
)
async def publish(ctx: Ctx, body: PublishBody) -> PublicationOut:
    row = await _version(ctx)
    live_pub = await service.live_publication()
    earlier = await RulesetPublication.exists(ruleset_id=row.id)
    action = (
        "rollback" if earlier and (live_pub is None or live_pub.ruleset_id != row.id) else "publish"
    )
    services = ctx.services
    publication = await service.publish(
        row,
        by=ctx.me.id,
        message=body.message,
        redis=services.redis,
        keys=services.keys,
        action=action,
    )
    # The audit row (`ruleset.publish` / `ruleset.rollback`) is written by service.publish,
    # in the publication's own transaction.
    return PublicationOut(
        id=publication.id,
        ruleset_id=row.id,
        version=row.version,
        action=action,
        published_by_id=ctx.me.id,
        message=body.message,
        published_at=publication.published_at,
    )
