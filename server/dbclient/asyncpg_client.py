"""Tortoise's asyncpg client; a transaction cancelled while it begins gives its connection
back to the pool."""

from __future__ import annotations

from tortoise.backends.asyncpg.client import AsyncpgDBClient, TransactionWrapper
from tortoise.backends.base.client import (
    TransactionalDBClient,
    TransactionContext,
    TransactionContextPooled,
)
from tortoise.connection import get_connections


class _TransactionContext(TransactionContextPooled):
    async def __aenter__(self) -> TransactionalDBClient:
        await self.ensure_connection()
        pool = self.client._parent._pool
        self.client._connection = await pool.acquire()
        self.token = get_connections().set(self.connection_name, self.client)
        try:
            await self.client.begin()
        except BaseException:
            # asyncpg waits for a cancelled command, and rolls back an open transaction,
            # of a connection given back to the pool.
            get_connections().reset(self.token)
            await pool.release(self.client._connection)
            raise
        return self.client


class PlazaAsyncpgClient(AsyncpgDBClient):
    def _in_transaction(self) -> TransactionContext:
        return _TransactionContext(TransactionWrapper(self), self._pool_init_lock)


client_class = PlazaAsyncpgClient
