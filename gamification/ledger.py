"""Double-entry ledger maths: accounts, transfers, reversals and the invariants.

Pure: no database. Every unit of every currency lives in exactly one account; a transfer
moves `amount` from its debit account to its credit account, so the balances of a currency
always sum to zero. Points and spins are issued from one account per rule (which goes
negative by what the rule paid out); prizes and shop items are issued into stock accounts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from typing import Any, Final, NamedTuple

from rules.events import REVERSIBLE_BY

POINTS: Final = "points"
SPINS: Final = "spins"

# Kinds of transfers that change what a person has *earned*: the leaderboards and the
# levels count these; spending in the shop or on the wheel does not lower a rank.
EARNING_KINDS: Final = frozenset({"award", "reversal", "gift", "grant", "wheel", "contest"})


class Org(NamedTuple):
    store: str | None = None
    city: str | None = None
    region: str | None = None
    department: str | None = None


NO_ORG: Final = Org()


def user_account(currency: str, user_id: int | str) -> str:
    return f"{currency}:user:{user_id}"


def rule_account(currency: str, rule_id: str) -> str:
    """Issues what a rule pays: its balance is minus everything the rule ever paid."""
    return f"{currency}:rule:{rule_id}"


def hold_account(user_id: int | str) -> str:
    """Points reserved by pending shop redemptions."""
    return f"{POINTS}:hold:{user_id}"


def budget_account(manager_id: int | str, month: str) -> str:
    """A manager's allowance to give for one calendar month (`2026-03`)."""
    return f"{POINTS}:budget:{manager_id}:{month}"


def stock_account(currency: str) -> str:
    """Units of a prize (`prize:mug`) or shop item (`item:day_off`) still available."""
    return f"{currency}:stock"


def system_account(currency: str, name: str) -> str:
    """Issuers and sinks: `points:shop` (spent), `spins:wheel`, `points:grant`, ..."""
    return f"{currency}:{name}"


def prize_currency(prize_id: str) -> str:
    return f"prize:{prize_id}"


def item_currency(item_id: str) -> str:
    return f"item:{item_id}"


@lru_cache(maxsize=65536)
def never_negative(account_id: str) -> bool:
    """Stock, holds and budgets can never be overdrawn. A person's own accounts may go
    below zero only through a reversal of points already spent (a debt that later awards
    pay off); spending always checks the balance first."""
    return account_id.endswith(":stock") or account_id.startswith(
        (f"{POINTS}:hold:", f"{POINTS}:budget:")
    )


@lru_cache(maxsize=65536)
def currency_of(account_id: str) -> str:
    head, _, rest = account_id.partition(":")
    if head in ("prize", "item"):
        return f"{head}:{rest.split(':', 1)[0]}"
    return head


@lru_cache(maxsize=65536)
def owner_of(account_id: str) -> int | None:
    parts = account_id.split(":")
    if len(parts) >= 3 and parts[-2] in ("user", "hold") and parts[-1].isdigit():
        return int(parts[-1])
    if len(parts) == 4 and parts[1] == "budget" and parts[2].isdigit():
        return int(parts[2])
    if len(parts) == 4 and parts[2] == "user" and parts[3].isdigit():
        return int(parts[3])
    return None


@dataclass(frozen=True, slots=True)
class Transfer:
    id: str
    kind: str
    currency: str
    debit: str
    credit: str
    amount: int
    at: datetime
    user_id: int | None = None
    actor_id: int | None = None
    event_id: str | None = None
    rule_id: str | None = None
    ruleset_version: str | None = None
    ref: str | None = None
    reversible: bool = False
    reverses: str | None = None
    reason: str = ""
    org: Org = NO_ORG

    @property
    def ranked(self) -> bool:
        return self.currency == POINTS and self.kind in EARNING_KINDS

    def signed_for_user(self) -> int:
        """What it does to the points its `user_id` has earned."""
        if self.user_id is None:
            return 0
        mine = user_account(self.currency, self.user_id)
        if self.credit == mine:
            return self.amount
        if self.debit == mine:
            return -self.amount
        return 0


def reversal_id(transfer_id: str) -> str:
    return f"rev-{transfer_id}"


def reverse(original: Transfer, *, event_id: str | None, reason: str) -> Transfer:
    """The compensating transfer. It keeps the original's `at` and organisation, so the
    leaderboard period the award counted in is the one corrected."""
    return replace(
        original,
        id=reversal_id(original.id),
        kind="reversal",
        debit=original.credit,
        credit=original.debit,
        event_id=event_id,
        reversible=False,
        reverses=original.id,
        reason=reason,
    )


def event_refs(fields: Mapping[str, Any]) -> list[str]:
    """Every deletion that could name this event's awards: its post and its comment."""
    return [ref for deletion in REVERSIBLE_BY if (ref := award_ref(deletion, fields)) is not None]


def award_ref(reverse_on: str | None, fields: Mapping[str, Any]) -> str | None:
    """What a rule's `reverse_on` deletion will name: e.g. `post:12` for post.deleted."""
    field = REVERSIBLE_BY.get(reverse_on or "")
    value = fields.get(field) if field else None
    if not isinstance(value, str) or not value:
        return None
    return f"{(reverse_on or '').split('.')[0]}:{value}"


def deletion_ref(event_type: str, fields: Mapping[str, Any]) -> str | None:
    """The reference a deletion event names (None for other events)."""
    return award_ref(event_type, fields) if event_type in REVERSIBLE_BY else None


def balances(transfers: Iterable[Transfer]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for t in transfers:
        out[t.debit] -= t.amount
        out[t.credit] += t.amount
    return dict(out)


class AccountRow(NamedTuple):
    id: str
    currency: str
    balance: int
    never_negative: bool


def violations(
    accounts: Iterable[AccountRow],
    derived: Mapping[str, int],
    bad_transfers: Iterable[str] = (),
) -> list[str]:
    """Every broken invariant, as one line each; empty when the ledger is sound.

    `derived` is each account's balance recomputed from the transfers; `bad_transfers`
    are problems found in single transfers (a non-positive amount, mixed currencies).
    """
    problems = list(bad_transfers)
    totals: dict[str, int] = defaultdict(int)
    seen = set()
    for row in accounts:
        seen.add(row.id)
        totals[row.currency] += row.balance
        expected = derived.get(row.id, 0)
        if row.balance != expected:
            problems.append(
                f"account {row.id}: balance {row.balance}, but its transfers sum to {expected}"
            )
        if row.never_negative and row.balance < 0:
            problems.append(f"account {row.id}: balance {row.balance} below zero")
        if row.currency != currency_of(row.id):
            problems.append(f"account {row.id}: currency {row.currency} does not match its name")
    for currency, total in sorted(totals.items()):
        if total != 0:
            problems.append(f"currency {currency}: accounts sum to {total}, not 0")
    for account in sorted(set(derived) - seen):
        problems.append(f"account {account}: has transfers but no account row")
    return problems
