"""/api/admin/audit: the audit log's viewer (newest first, filters, paging) and the chain's
status. Admins and the comms team see every row; moderators see the moderation rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from server.api import Api, Ctx
from server.audit import verify as checks
from server.audit.chain import GENESIS
from server.models import Employee, Role
from server.models.audit import AuditEntry
from server.schemas import Strict

api = Api()

VIEWERS = [Role.ADMIN, Role.COMMS, Role.MODERATOR]
# What a moderator sees of the log: their own trade.
MODERATION_PREFIX = "moderation."


class AuditQuery(Strict):
    action: str = Field(default="", max_length=64)  # a whole action or its start ("hr.")
    actor_id: int | None = None
    target: str = Field(default="", max_length=128)  # "employee:12", or a kind: "employee"
    since: datetime | None = None
    until: datetime | None = None
    before: int | None = Field(default=None, ge=1)  # paging: rows with a smaller seq
    limit: int = Field(default=50, ge=1, le=200)


class AuditRow(BaseModel):
    seq: int
    at: datetime
    actor_id: int | None
    actor_name: str | None
    action: str
    target: str
    detail: dict[str, Any]
    hash: str


class AuditPage(BaseModel):
    entries: list[AuditRow]
    next_before: int | None  # pass as `before` for the next (older) page


class VerificationOut(BaseModel):
    ok: bool
    rows: int
    head_seq: int
    head_hash: str
    checked_at: str
    checkpoints: int
    bad_seq: int | None
    reason: str | None
    message: str


class CheckpointOut(BaseModel):
    seq: int
    hash: str
    at: str


class AuditStatus(BaseModel):
    rows: int
    head_seq: int
    head_hash: str
    last_verification: VerificationOut | None
    last_checkpoint: CheckpointOut | None
    actions: list[str]  # every action in the log, for the filter


def _visible(ctx: Ctx) -> Any:
    rows = AuditEntry.all()
    if ctx.me.role == Role.MODERATOR:
        rows = rows.filter(action__startswith=MODERATION_PREFIX)
    return rows


@api.route("GET", "/api/admin/audit", summary="The audit log, newest first",
           tags=["admin"], query=AuditQuery, response=AuditPage, roles=VIEWERS)  # fmt: skip
async def audit_log(ctx: Ctx, query: AuditQuery) -> AuditPage:
    rows = _visible(ctx)
    if query.action:
        if query.action.endswith("."):
            rows = rows.filter(action__startswith=query.action)
        else:
            rows = rows.filter(action=query.action)
    if query.actor_id is not None:
        rows = rows.filter(actor_id=query.actor_id)
    if query.target:
        if ":" in query.target:
            rows = rows.filter(target=query.target)
        else:
            rows = rows.filter(target__startswith=f"{query.target}:")
    if query.since is not None:
        rows = rows.filter(at__gte=query.since)
    if query.until is not None:
        rows = rows.filter(at__lt=query.until)
    if query.before is not None:
        rows = rows.filter(seq__lt=query.before)
    found = list(await rows.order_by("-seq").limit(query.limit + 1))
    more = len(found) > query.limit
    found = found[: query.limit]
    actors = {e.actor_id for e in found if e.actor_id is not None}
    names = dict(await Employee.filter(id__in=actors).values_list("id", "name")) if actors else {}
    return AuditPage(
        entries=[
            AuditRow(
                seq=e.seq,
                at=e.at,
                actor_id=e.actor_id,
                actor_name=names.get(e.actor_id) if e.actor_id is not None else None,
                action=e.action,
                target=e.target,
                detail=e.detail,
                hash=e.hash,
            )
            for e in found
        ],
        next_before=found[-1].seq if more and found else None,
    )


async def _status(ctx: Ctx) -> AuditStatus:
    settings = ctx.services.settings
    head = await AuditEntry.all().order_by("-seq").first()
    report = checks.last_report(settings)
    checkpoint = checks.last_checkpoint(settings)
    actions = await _visible(ctx).distinct().order_by("action").values_list("action", flat=True)
    return AuditStatus(
        rows=await AuditEntry.all().count(),
        head_seq=head.seq if head else 0,
        head_hash=head.hash if head else GENESIS,
        last_verification=VerificationOut(**report.as_dict()) if report else None,
        last_checkpoint=CheckpointOut(seq=checkpoint.seq, hash=checkpoint.hash, at=checkpoint.at)
        if checkpoint and checkpoint.seq >= 0
        else None,
        actions=[str(a) for a in actions],
    )


@api.route("GET", "/api/admin/audit/status",
           summary="The chain's head, its last verification and last checkpoint",
           tags=["admin"], response=AuditStatus, roles=VIEWERS)  # fmt: skip
async def audit_status(ctx: Ctx) -> AuditStatus:
    return await _status(ctx)


@api.route("POST", "/api/admin/audit/verify",
           summary="Verify the whole chain and the checkpoints now (as `plaza audit verify`)",
           tags=["admin"], response=AuditStatus, roles=[Role.ADMIN, Role.COMMS])  # fmt: skip
async def verify_now(ctx: Ctx) -> AuditStatus:
    await checks.verify(ctx.services.settings)
    return await _status(ctx)
