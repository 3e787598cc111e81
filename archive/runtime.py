"""Build the app-wide collaborators (database, storage) once from settings."""

from __future__ import annotations

import threading
import time
import weakref
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import event

from archive.config import Settings, load_settings
from archive.db import Database, head_revision
from archive.errors import ArchiveError, ConfigError
from archive.places.gazetteer import Gazetteer, gazetteer_for
from archive.renditions import plan
from archive.storage import Caller, Storage, Storages

if TYPE_CHECKING:  # imported when first used: a command that needs none starts faster
    from collections.abc import Callable

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from archive.background import JobRunner
    from archive.imaging.pool import DecoderPool
    from archive.search.index import SearchIndex


@dataclass
class Runtime:
    """Settings with the database and storage they describe."""

    settings: Settings
    db: Database
    storages: Storages
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _decoders: DecoderPool | None = field(default=None, repr=False)
    # The admins' copies of the reference tables (name → revision, content), read lazily.
    _overrides: dict[str, tuple[int, bytes]] | None = field(default=None, repr=False)
    _tables_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _tables_checked: float = field(default=0.0, repr=False)
    # What the health checks keep between calls in this process (their probes of the
    # stores, the last sample of holdings), so that /healthz asks a hanging store once.
    check_memo: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def storage(self) -> Storage:
        """Return the storage backend new files go to (others: storages.of(name))."""
        return self.storages.default

    @cached_property
    def gazetteer(self) -> Gazetteer:
        """Return the place gazetteer (the admins' copy when there is one)."""
        return _gazetteer(self.settings, self._tables())

    @cached_property
    def search(self) -> SearchIndex:
        """Return the search index with its Korean analyser (model loads on first use)."""
        return _search(self.settings, self.gazetteer, self._tables(), self._engines())

    def write_search_documents(self, session: Session) -> None:
        """Write the search documents of the records a committing transaction changed
        (the PostgreSQL search backend; a transaction that changed none costs nothing)."""
        from archive.search.index import QUEUED

        if session.info.get(QUEUED):
            self.search.write_queued(session)

    def _engines(self) -> tuple[Engine, Engine] | None:
        """Return the database's engines for the PostgreSQL search backend (else None)."""
        if self.settings.search_engine != "postgres":
            return None
        return self.db.engine, self.read_db.engine

    @cached_property
    def read_db(self) -> Database:
        """Return the database searches read: a replica when one is set, else the database."""
        url = self.settings.database_read_url.strip()
        return Database(url) if url else self.db

    def _tables(self) -> dict[str, tuple[int, bytes]]:
        if self._overrides is None:
            self._use_tables(_read_overrides(self.db) or {})
        return self._overrides or {}

    def _use_tables(self, tables: dict[str, tuple[int, bytes]]) -> None:
        from archive.date_forms import use_period_table
        from archive.tables import TABLES

        periods = tables.get("periods")
        use_period_table(periods[1] if periods else TABLES["periods"].file_bytes(self.settings))
        self._overrides = tables

    def refresh_tables(self, max_age: float = 0.0, writer: bool = False) -> bool:
        """Follow the reference tables admins edited since this process read them; return
        whether anything changed. A reader (web) keeps the old tables until the index
        built with the new ones exists; the writer (ingest worker) switches at once.

        :param max_age: look at the database only if the last look is older than this.
        """
        now = time.monotonic()
        if now - self._tables_checked < max_age or not self._tables_lock.acquire(blocking=False):
            return False
        try:
            self._tables_checked = now
            known = {name: revision for name, (revision, _c) in self._tables().items()}
            if _read_revisions(self.db) in (known, None):
                return False
            tables = _read_overrides(self.db) or {}
            gazetteer = _gazetteer(self.settings, tables)
            search = _search(self.settings, gazetteer, tables, self._engines())
            if not writer and self.search.usable() and not search.usable():
                return False  # the worker is still building the index these tables need
            search.analyzer.follow(self.search.analyzer)
            self._use_tables(tables)
            self.__dict__["gazetteer"], self.__dict__["search"] = gazetteer, search
            return True
        finally:
            self._tables_lock.release()

    def current_search(self) -> SearchIndex:
        """Return the search index after following any change to the reference tables."""
        self.refresh_tables(writer=True)
        return self.search

    def share_before_fork(self) -> None:
        """Load what every web worker reads and never changes before the server forks, so
        they share one copy: the Korean model (and the variants and Hanja tables it reads
        with; about 400 MB a worker otherwise) and the search index's arrays (see
        SearchIndex.warm for what that saves, measured by `make bench-web`)."""
        analyzer = self.search.analyzer
        analyzer.warm()
        analyzer.query_terms("羅州 영산포 국민학교")  # the Hanja table and the variants
        if analyzer.variants is not None:
            analyzer.variants.clauses(["영산포"], analyzer)
        self.search.warm()
        self.db.dispose()

    def after_fork(self) -> None:
        """Forget connections inherited from the master without closing them for it."""
        self.db.engine.dispose(close=False)

    @cached_property
    def head_revision(self) -> str | None:
        """Return the newest packaged migration (read from disk once; /healthz asks often)."""
        return head_revision()

    def job_runner(self, worker_id: str) -> JobRunner:
        """Return a runner of due jobs with this runtime's collaborators."""
        from archive.background import JobContext, JobRunner

        context = JobContext(self.db, self.storages, self.settings, self.current_search)
        return JobRunner(context, worker_id)

    def schema_is_current(self) -> bool:
        """Return whether the database is migrated to the newest revision."""
        return self.db.revision() == self.head_revision

    def upload_decoders(self) -> DecoderPool:
        """Return the decoder processes for contributed photos (started on first use)."""
        from archive.imaging.analyse import AnalyseOptions
        from archive.imaging.pool import DecoderPool

        with self._lock:
            if self._decoders is None:
                s = self.settings
                options = AnalyseOptions(
                    s.max_pixels,
                    plan(s, contributed=True),
                    max_pages=1,
                    max_decoded_mb=s.upload_max_decoded_mb,
                    work_dir=s.work_dir,
                )
                self._decoders = DecoderPool(
                    s.upload_decoders, options, timeout=s.task_timeout, memory_mb=s.worker_memory_mb
                )
            return self._decoders

    def close(self) -> None:
        """Stop decoder processes and release database connections."""
        with self._lock:
            if self._decoders is not None:
                self._decoders.close()
                self._decoders = None
        if "read_db" in self.__dict__ and self.read_db is not self.db:
            self.read_db.dispose()
        self.db.dispose()


T = TypeVar("T")


def _read_overrides(db: Database) -> dict[str, tuple[int, bytes]] | None:
    """Return the admins' table copies, or None before the database is migrated."""
    from archive.tables.store import overrides

    return _before_migration_none(db, overrides)


def _read_revisions(db: Database) -> dict[str, int] | None:
    """Return the edited tables' revisions, or None before the database is migrated."""
    from archive.tables.store import revisions

    return _before_migration_none(db, revisions)


def _before_migration_none(db: Database, read: Callable[[Session], T]) -> T | None:
    from sqlalchemy.exc import DBAPIError

    try:
        with db.session() as session:
            return read(session)
    except DBAPIError:  # no reference_tables yet: the files are used
        return None


def _gazetteer(settings: Settings, tables: dict[str, tuple[int, bytes]]) -> Gazetteer:
    from archive.places.gazetteer import parse_gazetteer

    edited = tables.get("gazetteer")
    return parse_gazetteer(edited[1]) if edited else gazetteer_for(settings)


def _search(
    settings: Settings,
    gazetteer: Gazetteer,
    tables: dict[str, tuple[int, bytes]],
    engines: tuple[Engine, Engine] | None,
) -> SearchIndex:
    from archive.search.analysis import analyzer_for
    from archive.search.index import SearchIndex

    edited = tables.get("variants")
    analyzer = analyzer_for(gazetteer, settings, variants=edited[1] if edited else None)
    return SearchIndex(settings.index_dir, gazetteer, analyzer, engines)


def _use_periods(path: Path) -> None:
    """Read the named-periods table the settings name, or refuse to start plainly."""
    from archive.date_forms import use_periods

    try:
        use_periods(path)
    except (OSError, KeyError, ValueError, ArchiveError) as exc:
        raise ConfigError(
            f"ARCHIVE_PERIODS={path}: 시대 표를 읽지 못했습니다 / cannot read the periods table "
            f"(name,aliases,start,end): {exc}"
        ) from exc


def _check_search_tables(settings: Settings) -> None:
    """Read the dictionary and variants tables the settings name, or refuse to start."""
    from archive.search.analysis import read_table_setting
    from archive.search.lexicon import WORDS_FILE, load_words
    from archive.search.variants import VARIANTS_FILE, load_variants

    load_words(read_table_setting(settings.words, WORDS_FILE, "ARCHIVE_WORDS"), "ARCHIVE_WORDS")
    variants = read_table_setting(settings.variants, VARIANTS_FILE, "ARCHIVE_VARIANTS")
    load_variants(variants, "ARCHIVE_VARIANTS")


def build_runtime(settings: Settings | None = None, caller: Caller | None = None) -> Runtime:
    """Create directories and return the runtime for these settings.

    :param caller: how stores are called (the web's: short timeouts behind a guard).
    """
    settings = settings or load_settings()
    if settings.periods.strip():
        _use_periods(Path(settings.periods.strip()))
    if settings.words.strip() or settings.variants.strip():
        _check_search_tables(settings)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for name in ("inbox", "done", "failed", "duplicates"):
        (settings.scans_dir / name).mkdir(parents=True, exist_ok=True)
    on_postgres = settings.sqlalchemy_url.startswith("postgresql")
    if settings.search_engine == "postgres" and not on_postgres:
        raise ConfigError(
            "ARCHIVE_SEARCH_BACKEND=postgres: PostgreSQL 데이터베이스가 필요합니다 / needs a "
            "PostgreSQL database (ARCHIVE_DATABASE_URL)"
        )
    read_url = settings.database_read_url.strip()
    if read_url and not (on_postgres and read_url.startswith("postgresql")):
        raise ConfigError(
            "ARCHIVE_DATABASE_READ_URL: PostgreSQL 데이터베이스의 복제본 주소여야 합니다 / must be "
            "a PostgreSQL replica of a PostgreSQL ARCHIVE_DATABASE_URL"
        )
    runtime = Runtime(settings, Database(settings.sqlalchemy_url), Storages(settings, caller))
    if settings.search_engine == "postgres":
        # Every transaction writes the search documents of the records it changed.
        event.listen(runtime.db.sessionmaker, "before_commit", _weakly(runtime))
    return runtime


def _weakly(runtime: Runtime) -> Callable[[Session], None]:
    """Return the commit hook of a runtime that does not keep it alive (a runtime let go
    frees its Korean model, about 250 MB)."""
    method = weakref.WeakMethod(runtime.write_search_documents)

    def write(session: Session) -> None:
        found = method()
        if found is not None:
            found(session)

    return write
