"""A newcomer's first steps: what is missing from my profile and what completing it pays.

The reward is whatever the live ruleset gives for `profile.completed` (the comms team may
change it at any time), so the welcome page never shows a figure the rules do not pay.
"""

from __future__ import annotations

from pydantic import BaseModel

from rules.ruleset import Ruleset
from server.api import Api, Ctx
from server.models import Employee

api = Api()

EVENT = "profile.completed"


class BadgeReward(BaseModel):
    id: str
    title: dict[str, str]
    tier: str | None


class ProfileReward(BaseModel):
    rule_id: str
    title: dict[str, str]  # by language: the client picks its own
    points: int
    spins: int
    badge: BadgeReward | None


class Onboarding(BaseModel):
    complete: bool
    # Of "position", "avatar", "skills", "interests": what the profile still lacks.
    missing: list[str]
    reward: ProfileReward | None  # None when no live rule pays for a complete profile


def missing_fields(employee: Employee) -> list[str]:
    have = {
        "position": bool(employee.position),
        "avatar": bool(employee.avatar_path),
        "skills": bool(employee.skills),
        "interests": bool(employee.interests),
    }
    return [name for name, present in have.items() if not present]


def profile_reward(ruleset: Ruleset | None) -> ProfileReward | None:
    if ruleset is None:
        return None
    for rule in ruleset.rules:
        if rule.event != EVENT or rule.award is None:
            continue
        award = rule.award
        if not (award.points or award.spins or award.badge):
            continue
        badge = None
        if award.badge and award.badge in ruleset.badges:
            spec = ruleset.badges[award.badge]
            badge = BadgeReward(id=award.badge, title=dict(spec.title), tier=spec.tier)
        return ProfileReward(
            rule_id=rule.id,
            title=dict(rule.title),
            points=award.points,
            spins=award.spins,
            badge=badge,
        )
    return None


@api.route("GET", "/api/me/onboarding",
           summary="What my profile lacks and what the rules give for completing it",
           tags=["people"], response=Onboarding)  # fmt: skip
async def onboarding(ctx: Ctx) -> Onboarding:
    missing = missing_fields(ctx.me)
    registry = getattr(ctx.request.app.state, "rulesets", None)
    return Onboarding(
        complete=not missing,
        missing=missing,
        reward=profile_reward(registry.live if registry is not None else None),
    )
