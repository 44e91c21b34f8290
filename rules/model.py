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


class PrizeAward(Award):
    """A contest prize may also give a unit of a shop item (its id in the shop)."""

    item: Name | None = None


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


def _reverse_on(value: Any) -> Any:
    # `reverse_on: post.deleted` is short for `{event: post.deleted}`.
    if isinstance(value, str):
        return {"event": value}
    if value is not None and not isinstance(value, dict):
        raise ValueError("expected an event type, or {event: ..., link: ...}")
    return value


class ReverseOn(Strict):
    event: str
    link: str | None = None  # the field both event types carry; found when omitted


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
    reverse_on: Annotated[ReverseOn | None, BeforeValidator(_reverse_on)] = None


# -- contests ----------------------------------------------------------------------------------

Duration = Annotated[str, Field(pattern=r"^\d+\s*[dhm]$")]
ParticipantKind = Literal["people", "store", "city", "region", "department"]


def _moment(value: Any) -> Any:
    # `2026-12-01T00:00` (no seconds) is a string to YAML, `2026-12-01 00:00:00` a
    # timestamp, `2026-12-01` a date: all are accepted; without a zone they are in the
    # file's (or the company's) zone, applied when the ruleset is compiled.
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError("expected a time like 2026-12-01T00:00") from None
    raise ValueError("expected a time like 2026-12-01T00:00")


Moment = Annotated[datetime, BeforeValidator(_moment)]


class Score(Strict):
    """One of: count of an event type, sum of an int field of an event type, or the points
    chosen rules award."""

    count: str | None = None
    sum: str | None = None
    event: str | None = None
    points_from: list[Name] | None = None
    when: str | None = None


class Winners(Strict):
    top: Annotated[int, Field(ge=1, le=1000)] | None = None
    over: Annotated[float, Field(ge=0)] | None = None
    first: Annotated[int, Field(ge=1, le=1000)] | None = None
    reach: Annotated[float, Field(gt=0)] | None = None


class Prize(Strict):
    place: Annotated[int, Field(ge=1, le=1000)] | None = None
    over: Annotated[float, Field(ge=0)] | None = None
    winners: bool | None = None
    award: PrizeAward


class Contest(Strict):
    id: Name
    title: Title
    description: Title | None = None
    starts: Moment
    ends: Moment
    grace: Duration = "0h"
    participants: ParticipantKind = "people"
    per_head: bool = False
    score: Score
    winners: Winners
    prizes: list[Prize] = []
    announce: bool = True


class Expect(Strict):
    points: int | None = None
    spins: int | None = None
    badges: list[str] | None = None


class Case(Strict):
    name: str
    users: dict[str, dict[str, str]] = {}
    # Events are free-form here; the checker matches them to the event catalogue.
    events: list[dict[str, Any]]
    expect: dict[str, Expect] = {}
    # contest id -> the participants expected at the top, in order (user ids, or store,
    # city, region or department codes)
    standings: dict[Name, list[str]] = {}


class RulesetFile(Strict):
    version: Literal[1]
    timezone: str | None = None
    badges: dict[Name, Badge] = {}
    rules: list[Rule]
    contests: list[Contest] = []
    tests: list[Case] = []
