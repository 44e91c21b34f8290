"""Bodies shared by several features: errors and the employee as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator

# Ids and counters are 64-bit signed in both databases: a larger number in a request would
# overflow in the driver (a 500) instead of being the client's mistake.
MAX_INT64 = 2**63 - 1


def _check_int64(value: Any) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not -MAX_INT64 - 1 <= value <= MAX_INT64:
        raise ValueError(f"must be between {-MAX_INT64 - 1} and {MAX_INT64}")
    if isinstance(value, list | tuple | set):
        for item in value:
            _check_int64(item)


class Strict(BaseModel):
    """Request bodies and queries: unknown fields are an error that names the field, and
    every integer fits the databases' 64 bits."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _fits_64_bits(cls, value: Any) -> Any:
        _check_int64(value)
        return value


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
