"""The rewards' daily figures, pure: ledger transfers, spins, redemptions and kudos of one
day in, company-wide figures by key out (points by the rule or source that issued them,
prizes by prize, redemptions by status)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

POINTS, SPINS = "points", "spins"
# Figures that count people on a day: a period shows their average a day.
PEOPLE_A_DAY = ("earners", "kudos_givers", "kudos_receivers")


@dataclass(frozen=True)
class Transfer:
    kind: str
    currency: str
    debit_id: str
    credit_id: str
    amount: int
    rule_id: str | None
    user_id: int | None


def _user(account: str, currency: str) -> bool:
    return account.startswith(f"{currency}:user:")


def source(t: Transfer) -> str:
    """What issued points: the rule's id, or the kind (grant, gift, wheel, expertise...)."""
    return t.rule_id or t.kind


Figures = Counter[tuple[str, str]]  # (metric, key) -> value


def reward_figures(
    transfers: Iterable[Transfer],
    prizes_won: Iterable[str],
    redemptions: Iterable[tuple[str, int]],
    kudos: Iterable[tuple[int, int | None]],
) -> Figures:
    """`prizes_won`: the prize of each spin that won one; `redemptions`: (status, price) of
    each redemption asked for that day; `kudos`: (giver, recipient) of each kudos given."""
    out: Figures = Counter()
    earners: set[int] = set()
    for t in transfers:
        if t.currency == POINTS:
            into_user = _user(t.credit_id, POINTS)
            from_user = _user(t.debit_id, POINTS)
            if into_user and not from_user and not t.debit_id.startswith(f"{POINTS}:hold:"):
                out[("points_issued", source(t))] += t.amount
                if t.user_id is not None:
                    earners.add(t.user_id)
            elif from_user and t.kind == "reversal":
                out[("points_issued", source(t))] -= t.amount
                out[("points_reversed", source(t))] += t.amount
            elif t.credit_id == f"{POINTS}:shop":
                out[("points_redeemed", "")] += t.amount
        elif t.currency == SPINS:
            if _user(t.credit_id, SPINS) and not _user(t.debit_id, SPINS):
                out[("spins_issued", source(t))] += t.amount
            elif _user(t.debit_id, SPINS) and t.kind == "spin":
                out[("spins_used", "")] += t.amount
    for prize in prizes_won:
        out[("prizes_won", prize)] += 1
    for status, price in redemptions:
        out[("redemptions", status)] += 1
        out[("redemption_points", status)] += price
    givers: set[int] = set()
    receivers: set[int] = set()
    for giver, recipient in kudos:
        out[("kudos", "")] += 1
        givers.add(giver)
        if recipient is not None:
            receivers.add(recipient)
    # People a day, like the earners: they are averaged over a period, never added up.
    if givers:
        out[("kudos_givers", "")] = len(givers)
    if receivers:
        out[("kudos_receivers", "")] = len(receivers)
    if earners:
        out[("earners", "")] = len(earners)
    return out
