"""Every Redis key, channel and queue name of Plaza, in one place.

Redis is a cache and a bus here, never the source of truth: everything under these keys
can be rebuilt from the database. All names start with the configured prefix so that
several Plazas, or several test runs, can share one Redis server.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Keys:
    prefix: str

    # -- arq -----------------------------------------------------------------------------
    @property
    def queue(self) -> str:
        return f"{self.prefix}:queue"

    def job_id(self, kind: str, ident: object) -> str:
        # arq keeps job and result keys in one global namespace ("arq:job:<id>"), so the
        # prefix goes into the id to keep two Plazas on one Redis apart.
        return f"{self.prefix}:{kind}:{ident}"

    # -- accounts ------------------------------------------------------------------------
    def login_failures(self, scope: str, ident: str) -> str:
        """Failed logins per `scope` ("acct", "ip", "acct_ip", "device") in the window."""
        return f"{self.prefix}:login:fail:{scope}:{ident}"

    def writes(self, who: str, minute: int) -> str:
        return f"{self.prefix}:writes:{who}:{minute}"

    def daily_seen(self, day: str, employee_id: int) -> str:
        return f"{self.prefix}:seen:{day}:{employee_id}"

    # -- pub/sub -------------------------------------------------------------------------
    @property
    def account_events(self) -> str:
        """Channel: an account was dismissed or its sessions ended (sockets must close)."""
        return f"{self.prefix}:account-events"

    @property
    def ruleset_changes(self) -> str:
        """Channel: a ruleset was published or rolled back (payload: its version hash)."""
        return f"{self.prefix}:ruleset-changes"

    @property
    def socketio_channel(self) -> str:
        return f"{self.prefix}:socketio"

    @property
    def notifications(self) -> str:
        """Channel: new notifications, `{"kind", "employees": [ids], "payload"}` (after commit)."""
        return f"{self.prefix}:notifications"
