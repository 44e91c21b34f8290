"""A contest in words, in the reader's language: its rules, its prizes, the wallet's
explanation of a prize and the announcement post (server/locales, contest.*)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from rules.ruleset import AwardSpec, ContestSpec, PrizeSpec, Ruleset
from server.i18n import translate, translate_plural
from server.settings import SUPPORTED_LOCALES


def pick(texts: Mapping[str, str] | None, locale: str) -> str:
    """A {en: ..., ru: ...} text in the reader's language, else English, else any."""
    if not texts:
        return ""
    return texts.get(locale) or texts.get("en") or next(iter(texts.values()))


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}".rstrip("0")


def _local(moment: datetime, zone: str) -> str:
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


def _grace(spec: ContestSpec, locale: str) -> str:
    seconds = int(spec.grace.total_seconds())
    if seconds % 86400 == 0:
        return translate_plural(locale, "contest.days", seconds // 86400)
    if seconds % 3600 == 0:
        return translate_plural(locale, "contest.hours", seconds // 3600)
    return translate_plural(locale, "contest.minutes", seconds // 60)


def rules_in_words(spec: ContestSpec, ruleset: Ruleset | None, locale: str) -> list[str]:
    out = [translate(locale, f"contest.who.{spec.participants}")]
    if spec.per_head:
        out.append(translate(locale, "contest.per_head"))
    when = spec.when_source or ""
    # The event and field in words ("every new post"); the code name when one has none.
    event = translate(locale, f"contest.event.{spec.event}")
    if event.startswith("contest.event."):
        event = spec.event or ""
    if spec.score == "count":
        key = "contest.score.count_when" if when else "contest.score.count"
        out.append(translate(locale, key, event=event, when=when))
    elif spec.score == "sum":
        field = translate(locale, f"contest.field.{spec.field}")
        if field.startswith("contest.field."):
            field = spec.field or ""
        key = "contest.score.sum_when" if when else "contest.score.sum"
        out.append(translate(locale, key, event=event, field=field, when=when))
    else:
        titles = []
        for rule_id in sorted(spec.rules):
            rule = next((r for r in ruleset.rules if r.id == rule_id), None) if ruleset else None
            titles.append(pick(rule.title, locale) if rule else rule_id)
        out.append(translate(locale, "contest.score.points", rules=", ".join(titles)))
    if spec.mode == "top":
        out.append(translate_plural(locale, "contest.winners.top", spec.top or 0))
    elif spec.mode == "over":
        out.append(translate(locale, "contest.winners.over", over=number(spec.over or 0)))
    else:
        out.append(
            translate_plural(
                locale, "contest.winners.first", spec.first or 0, reach=number(spec.reach or 0)
            )
        )
    out.append(translate(locale, "contest.ties"))
    out.append(
        translate(
            locale,
            "contest.window",
            starts=_local(spec.starts, spec.timezone),
            ends=_local(spec.ends, spec.timezone),
            timezone=spec.timezone,
        )
    )
    if spec.grace.total_seconds() > 0:
        out.append(translate(locale, "contest.grace", grace=_grace(spec, locale)))
    else:
        out.append(translate(locale, "contest.no_grace"))
    return out


def award_text(
    award: AwardSpec,
    badges: Mapping[str, Any],
    locale: str,
    items: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """`items`: the shop's item titles per language, by id."""
    parts = []
    if award.points:
        parts.append(translate_plural(locale, "contest.points", award.points))
    if award.spins:
        parts.append(translate_plural(locale, "contest.spins", award.spins))
    if award.badge:
        badge = badges.get(award.badge)
        title = pick(dict(badge.title), locale) if badge is not None else award.badge
        parts.append(translate(locale, "contest.badge", title=title))
    if award.item:
        found = (items or {}).get(award.item)
        title = pick(dict(found), locale) if found else award.item
        parts.append(translate(locale, "contest.item", title=title))
    joiner = translate(locale, "contest.and")
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + joiner + parts[-1]


def prize_text(
    spec: ContestSpec,
    prize: PrizeSpec,
    badges: Mapping[str, Any],
    locale: str,
    items: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    award = award_text(prize.award, badges, locale, items)
    if prize.for_ == "place":
        text = translate(locale, "contest.prize.place", place=prize.place, award=award)
    elif prize.for_ == "over":
        text = translate(locale, "contest.prize.over", over=number(prize.over or 0), award=award)
    else:
        text = translate(locale, "contest.prize.first", award=award)
    if spec.participants != "people":
        text += translate(locale, "contest.prize.group")
    return text


def _ordinal_en(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def place_texts(spec: ContestSpec, place: int, of: int) -> dict[str, str]:
    """ "1st of 17 stores in the December contest", in every language."""
    out: dict[str, str] = {}
    for locale in SUPPORTED_LOCALES:
        shown: Any = _ordinal_en(place) if locale == "en" else place
        out[locale] = translate_plural(
            locale,
            f"contest.of.{spec.participants}",
            of,
            place=shown,
            title=pick(spec.title, locale),
        )
    if out.get("en"):
        out["en"] = out["en"][0].upper() + out["en"][1:]
    return out


def announcement(
    spec: ContestSpec, winners: list[tuple[int, str, float]], total: int, locale: str
) -> str:
    """The post's Markdown: the title, the winners (place, name, score), the count."""
    lines = [
        f"**{translate(locale, 'contest.announce.title', title=pick(spec.title, locale))}**",
        "",
    ]
    if winners:
        lines.append(translate(locale, "contest.announce.winners"))
        lines.append("")
        for place, name, score in winners[:20]:
            lines.append(
                translate(
                    locale, "contest.announce.row", place=place, name=name, score=number(score)
                )
            )
        lines.append("")
    else:
        lines += [translate(locale, "contest.announce.none"), ""]
    lines.append(translate_plural(locale, "contest.announce.count", total))
    if winners and spec.prizes:
        lines.append(translate(locale, "contest.announce.prizes"))
    return "\n".join(lines)
