"""The shape of a ruleset file, as pydantic models.

Strict: YAML's `10` is an int and `"10"` is a string, and neither becomes the other;
unknown keys are errors, so a typo such as `limit:` cannot silently drop a cap.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
# {en: ..., ru: ...}: titles are shown to employees in their language.
Title = dict[Annotated[str, Field(pattern=r"^[a-z]{2}$")], str]
Period = Literal["day", "week", "month", "total"]
KeyPart = Literal["beneficiary", "actor", "subject"]


def _date(value: Any) -> Any:
    # An unquoted 2026-12-01 arrives as a date, a quoted one as a string; a
    # number must not become a date (strict mode elsewhere would allow it).
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a date like 2026-12-01") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError("expected a date like 2026-12-01")
    return value


Day = Annotated[date, BeforeValidator(_date)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Badge(Strict):
    title: Title
    description: Title | None = None
    tier: Literal["bronze", "silver", "gold", "platinum"] | None = None


class Award(Strict):
    points: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    spins: Annotated[int, Field(ge=0, le=1000)] = 0
    badge: Name | None = None


class Limit(Strict):
    max: Annotated[int, Field(ge=0)]
    per: Period
    key: list[KeyPart] = ["beneficiary"]


class Tier(Strict):
    at: Annotated[int, Field(ge=1)]
    award: Award


class Streak(Strict):
    days: Annotated[int, Field(ge=2, le=366)]


class Active(Strict):
    model_config = ConfigDict(populate_by_name=True)

    from_: Day | None = Field(None, alias="from")
    until: Day | None = None


class Rule(Strict):
    id: Name
    title: Title | None = None
    description: Title | None = None
    event: str
    when: str | None = None
    to: str = "actor"
    award: Award | None = None
    tiers: list[Tier] | None = None
    streak: Streak | None = None
    limits: list[Limit] = []
    active: Active | None = None
    # When the post (or comment) the event is about is deleted, the award is reversed.
    reverse_on_delete: bool = False


class Expect(Strict):
    points: int | None = None
    spins: int | None = None
    badges: list[str] | None = None


class Case(Strict):
    name: str
    users: dict[str, dict[str, str]] = {}
    # Events are free-form here; the checker matches them to the event catalogue.
    events: list[dict[str, Any]]
    expect: dict[str, Expect]


class RulesetFile(Strict):
    version: Literal[1]
    timezone: str | None = None
    badges: dict[Name, Badge] = {}
    rules: list[Rule]
    tests: list[Case] = []
