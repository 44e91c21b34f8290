"""Database models of the server: organisation, accounts, activity outbox, HR imports."""

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
from server.models.rulesets import RulesetPublication, RulesetVersion

__all__ = [
    "ActivityEvent",
    "ApiToken",
    "City",
    "Company",
    "Department",
    "Employee",
    "EmployeeStatus",
    "HrImport",
    "Region",
    "Role",
    "RulesetPublication",
    "RulesetVersion",
    "Session",
    "Store",
]
