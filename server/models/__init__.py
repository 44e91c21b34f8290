"""Database models of the server: organisation, accounts, activity outbox, HR imports,
rulesets and rewards."""

from server.models.accounts import ApiToken, Session
from server.models.activity import ActivityEvent
from server.models.hr import HrImport
from server.models.org import (
    City,
    Company,
    Department,
    Employee,
    EmployeeStatus,
    Region,
    Role,
    Store,
)
from server.models.rewards import (
    BadgeAward,
    LedgerAccount,
    LedgerBatch,
    LedgerLane,
    LedgerTransfer,
    Redemption,
    RewardCounter,
    RewardStreak,
    RewardTier,
    RewardTombstone,
    ShopItem,
    WheelSeed,
    WheelSpin,
    WheelVersion,
)
from server.models.rulesets import RulesetPublication, RulesetVersion

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "BadgeAward",
    "City",
    "Company",
    "Department",
    "Employee",
    "EmployeeStatus",
    "HrImport",
    "LedgerAccount",
    "LedgerBatch",
    "LedgerLane",
    "LedgerTransfer",
    "Redemption",
    "Region",
    "RewardCounter",
    "RewardStreak",
    "RewardTier",
    "RewardTombstone",
    "Role",
    "RulesetPublication",
    "RulesetVersion",
    "Session",
    "ShopItem",
    "Store",
    "WheelSeed",
    "WheelSpin",
    "WheelVersion",
]
