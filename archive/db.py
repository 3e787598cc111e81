"""Database engine and sessions, bound to settings rather than built at import time.

Side effects that cannot be rolled back (deleting a stored file, say) are registered
on the session with after_commit() and run only once the transaction has committed;
on_rollback() undoes work done outside the database (a file copied in advance) when it
does not. mark_public_change() advances the counter public pages are cached by.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from archive.errors import ArchiveError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Action = Callable[[], None]


def after_commit(session: Session, action: Action) -> None:
    """Run action once the session's transaction has committed (never if it rolls back)."""
    session.info.setdefault("after_commit", []).append(action)


def on_rollback(session: Session, action: Action) -> None:
    """Run action if the session's transaction rolls back (to undo work outside it)."""
    session.info.setdefault("on_rollback", []).append(action)


def mark_public_change(session: Session) -> None:
    """Say that this transaction changes what visitors see (cached pages go stale)."""
    session.info["public_change"] = True


PUBLIC_VERSION_SQL = "SELECT public_version FROM archive_state"
# The session every session() of a reading() shares (per thread and request).
_reading: ContextVar[tuple[Database, Session] | None] = ContextVar("reading", default=None)


def public_version(session: Session) -> int:
    """Return the counter that every commit changing public data advances."""
    return int(session.execute(text(PUBLIC_VERSION_SQL)).scalar() or 0)


def _bump_public_version(session: Session) -> None:
    if session.info.pop("public_change", False):
        session.execute(text("UPDATE archive_state SET public_version = public_version + 1"))


def _run(actions: list[Action], when: str) -> None:
    for action in actions:
        try:
            action()
        except (ArchiveError, OSError) as exc:  # left for `archive sweep` to finish
            log.error("%s action failed: %s", when, exc)


def _after_commit(session: Session) -> None:
    session.info.pop("on_rollback", None)
    _run(session.info.pop("after_commit", []), "after-commit")


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    if previous.parent is not None:
        return  # a savepoint: the outer transaction may still commit
    session.info.pop("after_commit", None)
    session.info.pop("public_change", None)
    _run(session.info.pop("on_rollback", []), "rollback")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


CONNECT_SECONDS = 5


class Database:
    """Own one engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        # Connections are tested before use (a database that restarted leaves dead ones in
        # the pool), and a server that does not answer is given up on after a few seconds.
        remote = not url.startswith("sqlite")
        self.engine: Engine = create_engine(
            url,
            future=True,
            pool_pre_ping=remote,
            connect_args={"connect_timeout": CONNECT_SECONDS}
            if url.startswith("postgresql")
            else {},
        )
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        event.listen(self.sessionmaker, "before_commit", _bump_public_version)
        event.listen(self.sessionmaker, "after_commit", _after_commit)
        event.listen(self.sessionmaker, "after_soft_rollback", _after_rollback)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Yield a session that commits on success and rolls back on error; inside
        reading(), the reading's one session (which ends with it)."""
        shared = _reading.get()
        if shared is not None and shared[0] is self:
            yield shared[1]
            return
        session = self.sessionmaker()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Let every session() inside be one session and one transaction: what a page
        that only reads asks of the database in one connection, without a BEGIN and a
        COMMIT per question (a dozen round trips a page on PostgreSQL)."""
        session = self.sessionmaker()
        token = _reading.set((self, session))
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            _reading.reset(token)
            session.close()

    def public_version(self) -> int:
        """Return the public-data version with one light query (read on every cached page)."""
        shared = _reading.get()
        if shared is not None and shared[0] is self:
            return public_version(shared[1])
        with self.engine.connect() as connection:
            value = connection.exec_driver_sql(PUBLIC_VERSION_SQL).scalar()
            connection.rollback()
        return int(value or 0)

    def revision(self) -> str | None:
        """Return the migration the database is at (None when it has none yet)."""
        from sqlalchemy import inspect

        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()

    def upgrade(self) -> None:
        """Apply every Alembic migration up to head."""
        from alembic import command

        command.upgrade(alembic_config(self.url), "head")
        self.analyze()

    def analyze(self) -> None:
        """Refresh SQLite's table statistics (a few ms at 100,000 records).

        Without them SQLite looks records up by public id through the status index (every
        published row: 36 ms instead of 0.04 ms at 100,000). PostgreSQL's autovacuum keeps
        its own statistics, so nothing is done there.
        """
        if self.engine.dialect.name != "sqlite":
            return
        with self.engine.begin() as connection:
            connection.exec_driver_sql("PRAGMA analysis_limit=400")
            connection.exec_driver_sql("ANALYZE")

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


_REVISION = re.compile(r'^(down_revision|revision)\s*=\s*"([^"]*)"', re.MULTILINE)


def head_revision() -> str | None:
    """Return the newest packaged migration, read from the files (Alembic is slow to load).

    The head is the one revision no other migration names as its down_revision.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text("utf-8")
        found = {match.group(1): match.group(2) for match in _REVISION.finditer(text)}
        if "revision" in found:
            revisions.add(found["revision"])
        if found.get("down_revision"):
            parents.add(found["down_revision"])
    heads = sorted(revisions - parents)
    return heads[0] if len(heads) == 1 else None


def alembic_config(url: str) -> Config:
    """Return an Alembic config pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
