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
    def cache_invalidations(self) -> str:
        """Channel: drop these entries of the in-process read caches (`server/caching.py`)."""
        return f"{self.prefix}:cache-invalidations"

    @property
    def socketio_channel(self) -> str:
        return f"{self.prefix}:socketio"

    # -- realtime (Socket.IO) ------------------------------------------------------------
    @property
    def realtime_control(self) -> str:
        """Channel: enter/leave a room for an employee's sockets on every web process."""
        return f"{self.prefix}:rt:control"

    @property
    def realtime_seq(self) -> str:
        """Counter: the sequence number of durable events, the client's reconnect cursor."""
        return f"{self.prefix}:rt:seq"

    def live_throttle(self, what: str, ident: int) -> str:
        """String with a TTL: a count event (views, poll results) was sent in this window."""
        return f"{self.prefix}:rt:throttle:{what}:{ident}"

    def room_stream(self, room: str) -> str:
        """Stream: recent durable events of one room, ids `<seq>-0`, replayed on reconnect."""
        return f"{self.prefix}:rt:room:{room}"

    @property
    def presence_channel(self) -> str:
        """Channel: an employee's aggregate presence changed (online/away/offline)."""
        return f"{self.prefix}:rt:presence"

    def presence_conns(self, employee_id: int) -> str:
        """Hash: `<node>:<sid>` -> online|away, one field per open tab on any process."""
        return f"{self.prefix}:rt:pconns:{employee_id}"

    def presence_state(self, employee_id: int) -> str:
        """Hash: state and last_seen (epoch seconds) of one employee."""
        return f"{self.prefix}:rt:pstate:{employee_id}"

    @property
    def presence_nodes(self) -> str:
        """Set: ids of web processes that hold sockets."""
        return f"{self.prefix}:rt:nodes"

    def presence_node_alive(self, node: str) -> str:
        """String with a TTL: refreshed by a live web process; gone when it died."""
        return f"{self.prefix}:rt:node:{node}"

    def presence_node_members(self, node: str) -> str:
        """Set: employees with a socket on that process (to clean up after it dies)."""
        return f"{self.prefix}:rt:node:{node}:members"

    # -- rewards -------------------------------------------------------------------------
    def settle_job(self, bucket: int) -> str:
        """One settlement job per hand-off time bucket: hand-offs in a bucket share it."""
        return self.job_id("settle", bucket)

    def board(self, scope: str, period: str, label: str) -> str:
        """Sorted set: a leaderboard, e.g. scope store, period week, label 2026-03-02."""
        return f"{self.prefix}:lb:{scope}:{period}:{label}"

    @property
    def board_match(self) -> str:
        """SCAN pattern of every leaderboard key (and the markers below, told apart by
        their second part, which is not a scope)."""
        return f"{self.prefix}:lb:*"

    def board_applied(self, day: str) -> str:
        """Set: ids of the transfers applied to the boards, by the UTC day they were made;
        kept long enough for any redelivery, so a replayed transfer never counts twice."""
        return f"{self.prefix}:lb:applied:{day}"

    @property
    def board_built(self) -> str:
        """String: present once the boards were built from the ledger. Absent after a Redis
        restart lost them: appliers then wait and the sweeper rebuilds."""
        return f"{self.prefix}:lb:built"

    @property
    def board_rebuilding(self) -> str:
        """String with a short TTL, renewed while a rebuild runs: appliers leave transfers
        for later. A killed rebuild's lease runs out in seconds."""
        return f"{self.prefix}:lb:rebuilding"

    @property
    def sweeping(self) -> str:
        """String with a TTL: a sweep is running (sweeps every second must not pile up)."""
        return f"{self.prefix}:rewards:sweeping"
