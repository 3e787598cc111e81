"""One durable queue for everything that happens after a commit.

Why a table in the archive's own database and not a library (huey, procrastinate, a
Redis queue): a job must be written in the same transaction as the change it follows
(a transactional outbox), on SQLite for `make run` and on PostgreSQL when scaled, and
only the main database can be part of that transaction. procrastinate is PostgreSQL
only; huey keeps its queue in Redis or its own SQLite file, outside the transaction, so
a crash between the commit and the enqueue would lose the job. The table needs about a
hundred lines: enqueue, claim (safe for several workers on both databases), finish,
retry with backoff, and counts for `archive check`.
"""
