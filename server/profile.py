"""Profiles: reading a colleague's, editing one's own, and the avatar (type and size checked)."""

from __future__ import annotations

import asyncio
import zoneinfo
from pathlib import Path

from pydantic import Field
from starlette.responses import Response

from server import activity, uploads
from server.api import Api, Ctx, read_body
from server.caching import invalidate
from server.errors import ApiError, not_found
from server.models import Employee
from server.people import employee_out
from server.schemas import EmployeeOut, Strict

api = Api()


class ProfileUpdate(Strict):
    position: str | None = Field(default=None, max_length=200)
    locale: str | None = Field(default=None, pattern="^(en|ru)$")
    timezone: str | None = Field(default=None, max_length=64)
    skills: list[str] | None = Field(default=None, max_length=50)
    interests: list[str] | None = Field(default=None, max_length=50)


def profile_complete(employee: Employee) -> bool:
    return bool(
        employee.position and employee.avatar_path and employee.skills and employee.interests
    )


async def _note_completion(employee: Employee, was_complete: bool) -> None:
    """The newcomer perk hangs on this event: recorded once, when the profile first fills up."""
    if not was_complete and profile_complete(employee):
        await activity.record(
            "profile.completed",
            employee.id,
            {"completeness": 100},
            event_id=activity.deterministic_id("profile.completed", employee.id),
        )


@api.route(
    "GET",
    "/api/employees/{id:int}",
    summary="A colleague's profile",
    tags=["people"],
    response=EmployeeOut,
)
async def get_employee(ctx: Ctx) -> EmployeeOut:
    employee = await Employee.get_or_none(id=ctx.path_int("id"))
    if employee is None:
        raise not_found()
    return await employee_out(employee)


@api.route(
    "PATCH",
    "/api/me",
    summary="Edit my profile",
    tags=["people"],
    body=ProfileUpdate,
    response=EmployeeOut,
)
async def update_me(ctx: Ctx, body: ProfileUpdate) -> EmployeeOut:
    me = ctx.me
    was_complete = profile_complete(me)
    changes = body.model_dump(exclude_unset=True, exclude_none=True)
    if "timezone" in changes:
        try:
            zoneinfo.ZoneInfo(changes["timezone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ApiError(
                422, "validation_failed", field="timezone", reason="not an IANA time zone"
            ) from None
    for tags in ("skills", "interests"):
        if tags in changes:
            changes[tags] = sorted({t.strip().lower()[:60] for t in changes[tags] if t.strip()})
    for name, value in changes.items():
        setattr(me, name, value)
    if changes:
        await me.save(update_fields=[*changes, "updated_at"])
        await invalidate(ctx.services.redis, ctx.services.keys, employees=[me.id])
    await _note_completion(me, was_complete)
    return await employee_out(me)


@api.route(
    "PUT",
    "/api/me/avatar",
    summary="Upload my avatar (PNG, JPEG, GIF or WebP)",
    tags=["people"],
    response=EmployeeOut,
    raw_body=uploads.IMAGE_TYPES,
)
async def put_avatar(ctx: Ctx) -> EmployeeOut:
    settings = ctx.services.settings
    data = await read_body(ctx.request, settings.max_avatar_bytes)
    declared = ctx.content_type
    actual = uploads.checked_type(data, declared, uploads.IMAGE_TYPES)
    me = ctx.me
    was_complete = profile_complete(me)
    path = await uploads.save(settings.uploads_dir / "avatars", str(me.id), data, actual)
    old = me.avatar_path
    me.avatar_path = str(path)
    await me.save(update_fields=["avatar_path", "updated_at"])
    await invalidate(ctx.services.redis, ctx.services.keys, employees=[me.id])
    if old:
        await asyncio.to_thread(Path(old).unlink, missing_ok=True)
    await _note_completion(me, was_complete)
    return await employee_out(me)


@api.route(
    "GET",
    "/api/employees/{id:int}/avatar",
    summary="An employee's avatar image",
    tags=["people"],
    response_media_type="image/*",
)
async def get_avatar(ctx: Ctx) -> Response:
    employee = await Employee.get_or_none(id=ctx.path_int("id"))
    if employee is None or not employee.avatar_path:
        raise not_found()
    path = Path(employee.avatar_path)
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except FileNotFoundError:
        raise not_found() from None
    return Response(
        data,
        media_type=uploads.sniff(data) or "application/octet-stream",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600"},
    )
