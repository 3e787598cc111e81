"""A fresh database per test: SQLite in the test's data dir, or a new PostgreSQL database.

Set ARCHIVE_TEST_DATABASE=postgres and ARCHIVE_TEST_POSTGRES_URL (a server URL whose user may
create databases) to run the suite on PostgreSQL. The first database of a run is migrated and
becomes the template of the others (CREATE DATABASE ... TEMPLATE is a fast file copy); every
database of the run is dropped at its end.
"""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from archive.db import Database

BACKEND = os.environ.get("ARCHIVE_TEST_DATABASE", "sqlite")
SERVER_URL = os.environ.get("ARCHIVE_TEST_POSTGRES_URL", "")
RUN = uuid.uuid4().hex[:8]
_counter = itertools.count()
_created: list[str] = []
_template: list[str] = []
_sqlite: list[Path] = []


def _admin_url() -> str:
    url = make_url(SERVER_URL).set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def _execute(statement: str) -> None:
    engine = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


def _url_of(name: str) -> str:
    return make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)


def _template_name() -> str:
    if not _template:
        name = f"archive_test_{RUN}_template"
        _execute(f'CREATE DATABASE "{name}"')
        _created.append(name)
        database = Database(_url_of(name))
        database.upgrade()
        database.dispose()
        _template.append(name)
    return _template[0]


def _sqlite_template() -> Path:
    """Return a migrated SQLite file made once per run (copying it beats migrating again)."""
    if not _sqlite:
        folder = Path(tempfile.mkdtemp(prefix="archive-test-template-"))
        database = Database(f"sqlite:///{folder / 'archive.db'}")
        database.upgrade()
        database.dispose()
        _sqlite.append(folder / "archive.db")
    return _sqlite[0]


def fresh_database_url(*, migrated: bool = True, data_dir: Path | None = None) -> str:
    """Return the URL of a new database (migrated unless asked), or "" for SQLite.

    :param data_dir: for SQLite, where the app will keep archive.db: a migrated copy is put
        there, so the app's own upgrade finds nothing to do.
    """
    if BACKEND != "postgres":
        if migrated and data_dir is not None and not (data_dir / "archive.db").exists():
            data_dir.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(_sqlite_template(), data_dir / "archive.db")
        return ""
    if not SERVER_URL:
        raise RuntimeError("ARCHIVE_TEST_DATABASE=postgres needs ARCHIVE_TEST_POSTGRES_URL")
    name = f"archive_test_{RUN}_{next(_counter)}"
    if migrated:
        _execute(f'CREATE DATABASE "{name}" TEMPLATE "{_template_name()}"')
    else:
        _execute(f'CREATE DATABASE "{name}"')
    _created.append(name)
    return _url_of(name)


def drop_databases() -> None:
    """Drop every database this run created."""
    for name in reversed(_created):
        _execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _created.clear()
    _template.clear()
    for template in _sqlite:
        shutil.rmtree(template.parent, ignore_errors=True)
    _sqlite.clear()


def module_settings(root: Path) -> dict[str, str]:
    """Return the data and database settings of a module's own runtime under root (a
    fresh database of the run's kind, so the PostgreSQL pass searches with its backend)."""
    url = fresh_database_url(data_dir=root / "var")
    values = {"data_dir": str(root / "var"), "scans_dir": str(root / "scans")}
    return values | ({"database_url": url} if url else {})
