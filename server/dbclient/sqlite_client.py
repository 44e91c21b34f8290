"""Tortoise's SQLite client; transactions begin IMMEDIATE and survive cancellation."""

from __future__ import annotations

import contextlib
import sqlite3
from typing import Any

from tortoise.backends.base.client import TransactionalDBClient, TransactionContext
from tortoise.backends.sqlite.client import (
    SqliteClient,
    SqliteTransactionContext,
    SqliteTransactionWrapper,
)
from tortoise.connection import get_connections
from tortoise.exceptions import OperationalError


class _ImmediateTransaction(SqliteTransactionWrapper):
    async def begin(self) -> None:
        try:
            await self._connection.commit()  # as Tortoise does: no stray transaction is open
            await self._connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            # "database is locked" after the busy timeout: a passing failure, as for any
            # other statement, not Tortoise's TransactionManagementError.
            raise OperationalError(exc) from exc


class _TransactionContext(SqliteTransactionContext):
    async def __aenter__(self) -> TransactionalDBClient:
        await self._trxlock.acquire()
        try:
            await self.ensure_connection()
            self.token = get_connections().set(self.connection_name, self.connection)
            try:
                await self.connection.begin()
            except BaseException:
                get_connections().reset(self.token)
                raise
        except BaseException:
            # A cancelled BEGIN still runs in aiosqlite's thread: queue a ROLLBACK behind
            # it (a no-op outside a transaction), so that whoever takes the connection next
            # starts outside any transaction.
            await self._roll_back_quietly()
            self._trxlock.release()
            raise
        return self.connection  # type: ignore[no-any-return]

    async def __aexit__(self, exc_type: Any, exc_val: Any, exc_tb: Any) -> None:
        if exc_type is None and not self.connection._finalized:
            try:
                await self.connection.commit()
            except BaseException:
                # A failed COMMIT would leave the transaction open on the shared connection.
                await self._roll_back_quietly()
                get_connections().reset(self.token)
                self._trxlock.release()
                raise
        await super().__aexit__(exc_type, exc_val, exc_tb)

    async def _roll_back_quietly(self) -> None:
        if self.connection._connection is not None:
            with contextlib.suppress(Exception):
                await self.connection._connection.rollback()


class PlazaSqliteClient(SqliteClient):
    def _in_transaction(self) -> TransactionContext:
        return _TransactionContext(_ImmediateTransaction(self), self._lock)


client_class = PlazaSqliteClient
