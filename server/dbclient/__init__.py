"""Tortoise's database clients with transactions Plaza can rely on (`server.db` names
these modules as the engines):

- On SQLite a transaction starts with BEGIN IMMEDIATE, taking the write lock at once.
  Tortoise begins DEFERRED: a transaction that reads, then writes while another process
  has written since the read, gets "database is locked" at once (SQLITE_BUSY_SNAPSHOT:
  waiting could not help, so SQLite skips the busy timeout). IMMEDIATE makes every
  transaction queue on the busy timeout instead. Within one process Tortoise already runs
  one transaction at a time on its one connection, so nothing waits longer than before.
- A transaction cancelled while it begins (arq cancels every running job on SIGTERM)
  gives its connection back. Tortoise leaves the SQLite connection's lock held, or the
  PostgreSQL connection out of its pool, for good: every later query of the process, and
  the worker's shutdown, then waited forever.

The module names matter: Tortoise's migration executor picks its schema editor by whether
the client's module name contains "sqlite" or "asyncpg".
"""
