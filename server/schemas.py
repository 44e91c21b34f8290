"""Bodies shared by several features: errors and the employee as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Strict(BaseModel):
    """Request bodies: unknown fields are an error that names the field."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorBody(BaseModel):
    error: str
    detail: str


class Ref(BaseModel):
    id: int
    name: str


class EmployeeOut(BaseModel):
    id: int
    employee_id: str | None
    email: str
    name: str
    position: str
    role: str
    status: str
    locale: str
    timezone: str
    department: Ref | None
    store: Ref | None
    manager: Ref | None
    skills: list[str]
    interests: list[str]
    avatar_url: str | None
    created_at: datetime
