"""Personal data: one employee's data as a zip of JSON files and their uploaded files (asked
by the employee or by an admin), and anonymising a departed employee's profile (their posts
stay, shown as a former employee's; the ledger is not touched, so its sums stay).

Both are audited (`privacy.export`, `privacy.anonymise`). See docs/operations.md."""

from __future__ import annotations

import asyncio
import io
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
from starlette.responses import Response
from tortoise.transactions import in_transaction

from server import audit
from server.api import Api, Ctx
from server.errors import ApiError, not_found
from server.models import (
    Attachment,
    BadgeAward,
    ChatMessage,
    Comment,
    Employee,
    EmployeeStatus,
    LedgerAccount,
    LedgerTransfer,
    Post,
    Redemption,
    Role,
    Story,
)
from server.people import employee_out
from server.schemas import EmployeeOut
from server.services import Services

api = Api()

# The name an anonymised profile shows, in the company's language (PLAZA_LOCALE).
FORMER_EMPLOYEE = {"en": "Former employee", "ru": "Бывший сотрудник"}
ANONYMISED_DOMAIN = "anonymised.invalid"
ZIP_TYPE = "application/zip"


def is_anonymised(employee: Employee) -> bool:
    return employee.email.endswith("@" + ANONYMISED_DOMAIN)


def _json(value: Any) -> bytes:
    return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS)


async def collect(employee: Employee) -> tuple[dict[str, Any], dict[str, Path]]:
    """(JSON documents by file name, uploaded files by their name in the zip)."""
    me = employee.id
    files: dict[str, Path] = {}

    def keep(folder: str, path: str | None) -> str | None:
        if not path:
            return None
        name = f"files/{folder}/{Path(path).name}"
        files[name] = Path(path)
        return name

    profile = (await employee_out(employee)).model_dump(mode="json")
    profile["avatar_file"] = keep("avatar", employee.avatar_path)
    profile.pop("avatar_url", None)
    attachments = []
    for a in await Attachment.filter(owner_id=me).order_by("id").values():
        a["file"] = keep("attachments", a.pop("path"))
        attachments.append(a)
    messages = []
    for m in await ChatMessage.filter(author_id=me).order_by("id").values():
        m["attachment_file"] = keep("chat", m.pop("attachment_path"))
        messages.append(m)
    stories = []
    for s in await Story.filter(author_id=me).order_by("id").values():
        s["image_file"] = keep("stories", s.pop("image_path"))
        stories.append(s)
    documents: dict[str, Any] = {
        "profile.json": profile,
        "posts.json": await Post.filter(author_id=me).order_by("id").values(),
        "comments.json": await Comment.filter(author_id=me).order_by("id").values(),
        "chat_messages.json": messages,
        "stories.json": stories,
        "uploads.json": attachments,
        "wallet.json": await LedgerAccount.filter(owner_id=me).order_by("id").values(),
        "transfers.json": await LedgerTransfer.filter(user_id=me)
        .order_by("created_at", "id")
        .values(),
        "badges.json": await BadgeAward.filter(user_id=me).order_by("created_at", "id").values(),
        "redemptions.json": await Redemption.filter(user_id=me).order_by("created_at").values(),
    }
    return documents, files


def _zip(documents: dict[str, Any], files: dict[str, Path], about: dict[str, Any]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("README.json", _json(about))
        for name, value in documents.items():
            z.writestr(name, _json(value))
        for name, path in files.items():
            try:
                z.writestr(name, path.read_bytes())
            except FileNotFoundError:
                continue  # deleted meanwhile (an expired story's image)
    return buffer.getvalue()


async def export_zip(employee: Employee, actor_id: int | None) -> bytes:
    """The zip, audited as `privacy.export` (by the employee or by an admin)."""
    documents, files = await collect(employee)
    about = {
        "employee_id": employee.id,
        "exported_at": datetime.now(UTC).isoformat(),
        "requested_by": actor_id,
        "files": sorted([*documents, *files]),
    }
    data = await asyncio.to_thread(_zip, documents, files, about)
    await audit.record(
        actor_id,
        "privacy.export",
        f"employee:{employee.id}",
        {"bytes": len(data), "files": len(files)},
    )
    return data


def _download(data: bytes, employee_id: int) -> Response:
    stamp = datetime.now(UTC).strftime("%Y%m%d")
    return Response(
        data,
        media_type=ZIP_TYPE,
        headers={
            "Content-Disposition": f'attachment; filename="plaza-data-{employee_id}-{stamp}.zip"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


# Fields an anonymised profile loses, and what they become.
def _blank(employee: Employee, locale: str) -> dict[str, Any]:
    return {
        "name": FORMER_EMPLOYEE.get(locale, FORMER_EMPLOYEE["en"]),
        "email": f"former-{employee.id}@{ANONYMISED_DOMAIN}",
        "employee_id": None,
        "position": "",
        "skills": [],
        "interests": [],
        "timezone": "",
        "avatar_path": None,
        "password_hash": None,
        "manager_id": None,
        "hr_listed": False,
        "status": EmployeeStatus.DISMISSED,
        "dismissed_at": employee.dismissed_at or datetime.now(UTC),
    }


async def anonymise(employee_id: int, actor_id: int | None, services: Services) -> Employee:
    """Blank a departed employee's profile: name, photo, contact fields, skills; every session
    and token revoked. Posts, comments and the ledger stay as they are."""
    from server.people import dismiss

    async with in_transaction() as conn:
        employee = await Employee.get_or_none(id=employee_id, using_db=conn)
        if employee is None:
            raise not_found()
        if employee.id == actor_id:
            raise ApiError(409, "cannot_anonymise_self")
        avatar = employee.avatar_path
        changes = _blank(employee, services.settings.locale)
        changed = sorted(k for k, v in changes.items() if getattr(employee, k) != v)
        for name, value in changes.items():
            setattr(employee, name, value)
        await employee.save(using_db=conn, update_fields=[*changes, "updated_at"])
        await audit.record(
            actor_id, "privacy.anonymise", f"employee:{employee_id}", {"fields": changed}
        )
    await dismiss([employee_id], services.redis, services.keys)  # sessions, tokens, sockets
    if avatar:
        await asyncio.to_thread(Path(avatar).unlink, missing_ok=True)
    return employee


@api.route(
    "GET",
    "/api/me/export",
    summary="Download my data (profile, posts, comments, messages, transfers, uploads) as a zip",
    tags=["people"],
    response_media_type=ZIP_TYPE,
)
async def export_mine(ctx: Ctx) -> Response:
    return _download(await export_zip(ctx.me, ctx.me.id), ctx.me.id)


@api.route(
    "GET",
    "/api/admin/employees/{id:int}/export",
    summary="Download an employee's data as a zip (admin)",
    tags=["people"],
    roles=[Role.ADMIN],
    response_media_type=ZIP_TYPE,
)
async def export_theirs(ctx: Ctx) -> Response:
    employee = await Employee.get_or_none(id=ctx.path_int("id"))
    if employee is None:
        raise not_found()
    return _download(await export_zip(employee, ctx.me.id), employee.id)


@api.route(
    "POST",
    "/api/admin/employees/{id:int}/anonymise",
    summary="Anonymise a departed employee's profile (admin); posts stay, the ledger is kept",
    tags=["people"],
    roles=[Role.ADMIN],
    response=EmployeeOut,
)
async def anonymise_employee(ctx: Ctx) -> EmployeeOut:
    employee = await anonymise(ctx.path_int("id"), ctx.me.id, ctx.services)
    return await employee_out(employee)
