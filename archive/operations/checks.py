"""Health checks shared by `archive check` and /healthz."""

from __future__ import annotations

import os
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from archive.errors import ArchiveError, IndexUnavailable
from archive.jobs.queue import queue_state
from archive.models import Photo
from archive.runtime import Runtime
from archive.services.claims import stale_claims
from archive.services.jobs import kind_label
from archive.services.publication import DELETE_FILES
from archive.statuses import RecordStatus

MIN_FREE_BYTES = 2 * 1024**3
# Jobs waiting longer than this mean no worker is running.
STALE_JOB_SECONDS = 600


@dataclass(frozen=True)
class Check:
    """One verdict: what was checked, whether it is fine, and what was seen."""

    name: str
    ok: bool
    detail: str


def run_checks(runtime: Runtime, *, write: bool = True) -> list[Check]:
    """Check settings, database, storage, search index and disk space.

    :param write: also write, read and delete a probe object in storage (the CLI does;
        /healthz, polled often, only checks that storage answers).
    """
    checks = [_settings(runtime), _database(runtime), _storage(runtime, write)]
    if checks[1].ok:
        checks += [_index(runtime), _jobs(runtime)]
    else:
        checks.append(Check("index", False, "needs the database"))
    if write and checks[1].ok and checks[2].ok:
        checks.append(_files(runtime))  # lists the whole store: the CLI's, not /healthz's
        checks.append(_erasures(runtime))
    return checks + [_disk(path) for path in _disk_paths(runtime)]


def report(checks: list[Check]) -> dict[str, Any]:
    """Return the JSON form of a set of checks."""
    return {
        "status": "ok" if all(c.ok for c in checks) else "error",
        "checks": [asdict(c) for c in checks],
    }


def _settings(runtime: Runtime) -> Check:
    s = runtime.settings
    where = f"storage={s.storage}" + (f" bucket={s.s3_bucket}" if s.storage == "s3" else "")
    database = runtime.db.engine.url.render_as_string(hide_password=True)
    return Check("settings", True, f"{where}; database={database}")


def _database(runtime: Runtime) -> Check:
    try:
        with runtime.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = runtime.schema_is_current()
    except SQLAlchemyError as exc:
        return Check("database", False, f"unreachable: {type(exc).__name__}: {exc}"[:300])
    if not current:
        return Check("database", False, "schema is not current: run `archive db upgrade`")
    return Check("database", True, "reachable, schema current")


def _storage(runtime: Runtime, write: bool) -> Check:
    try:
        if write:
            runtime.storage.check()
        else:
            runtime.storage.exists("checks/ping")
    except ArchiveError as exc:
        return Check("storage", False, str(exc)[:300])
    except OSError as exc:
        return Check("storage", False, f"{type(exc).__name__}: {exc}"[:300])
    return Check("storage", True, "read/write ok" if write else "reachable")


def _index(runtime: Runtime) -> Check:
    try:
        documents = runtime.search.view().doc_count
        with runtime.db.session() as session:
            published = session.scalar(
                select(func.count())
                .select_from(Photo)
                .where(Photo.status == RecordStatus.PUBLISHED)
            )
    except IndexUnavailable:
        return Check("index", False, "being built: a worker (or `archive reindex`) builds it")
    except (OSError, SQLAlchemyError, ArchiveError) as exc:
        return Check("index", False, f"{type(exc).__name__}: {exc}"[:300])
    return Check("index", True, f"{documents} documents, {published} published records")


def _jobs(runtime: Runtime) -> Check:
    """Check the job queue: nothing gave up, nothing due waiting long for a worker.

    Jobs retrying by their policy (mail while the mail server is down) are said, with
    their count, but are not a fault yet: a fault is a job whose policy gave up.
    """
    try:
        with runtime.db.session() as session:
            state = queue_state(session)
    except SQLAlchemyError as exc:
        return Check("jobs", False, f"{type(exc).__name__}: {exc}"[:300])
    waiting = sum(state.pending.values())
    detail = f"{waiting} waiting" + "".join(f", {k} {n}" for k, n in sorted(state.pending.items()))
    if state.retrying:
        retrying = ", ".join(f"{k} {n}" for k, n in sorted(state.retrying.items()))
        detail += f"; retrying after failures: {retrying} (see `archive jobs status`)"
    if state.failed:
        failed = ", ".join(f"{k} {n} ({kind_label(k)})" for k, n in sorted(state.failed.items()))
        return Check(
            "jobs",
            False,
            f"{detail}; failed: {failed}, given up after trying as long as their kind allows "
            "(see `archive jobs status`, then `archive jobs retry`)",
        )
    if state.oldest_due is not None and _age(state.oldest_due) > STALE_JOB_SECONDS:
        return Check("jobs", False, detail + "; no worker is doing them (is it running?)")
    return Check("jobs", True, detail)


def _files(runtime: Runtime) -> Check:
    """Survey stored files: the public prefix must hold published records' copies only."""
    from archive.services.sweep import survey

    try:
        with runtime.db.session() as session:
            found = survey(session, runtime.storages)
            claims = stale_claims(session, max(600.0, runtime.settings.task_timeout * 3))
    except (OSError, SQLAlchemyError, ArchiveError) as exc:
        return Check("files", False, f"{type(exc).__name__}: {exc}"[:300])
    detail = (
        f"{len(found.stray_public)} public files of no published record, "
        f"{found.filled} public copies missing, {found.relocated} derivatives in the public "
        f"prefix, {len(found.orphans)} orphan derivatives, "
        f"{len(found.orphan_originals)} orphan originals, {claims} stale claims, "
        f"{len(found.empty_folders)} empty folders"
    )
    ok = not (found.stray_public or found.filled or found.relocated)
    untidy = found.orphans or found.orphan_originals or found.empty_folders or claims
    advice = "; run `archive sweep`" if untidy or not ok else ""
    return Check("files", ok, detail + advice)


def _erasures(runtime: Runtime) -> Check:
    """Check that no file of an erased record remains (once its deletion job has run)."""
    from archive.services.erasure import erased_files

    try:
        with runtime.db.session() as session:
            files = erased_files(session)
            waiting = queue_state(session).pending.get(DELETE_FILES.name, 0)
        left = sorted(
            {
                public_id
                for public_id, (backend, key) in files
                if runtime.storages.of(backend).holds(key)
            }
        )
    except (OSError, SQLAlchemyError, ArchiveError) as exc:
        return Check("erasures", False, f"{type(exc).__name__}: {exc}"[:300])
    records = len({public_id for public_id, _file in files})
    if not left:
        return Check("erasures", True, f"{records} erased records, none of their files remains")
    detail = f"files of {len(left)} erased records remain: {', '.join(left[:10])}"
    if waiting:
        return Check("erasures", False, f"{detail} ({waiting} deletion jobs waiting for a worker)")
    return Check("erasures", False, f"{detail}; run `archive sweep --include-originals`")


def _age(moment: datetime) -> float:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (datetime.now(UTC) - moment).total_seconds()


def _disk_paths(runtime: Runtime) -> list[Path]:
    paths = [runtime.settings.data_dir, runtime.settings.scans_dir]
    unique: dict[int, Path] = {}
    for path in paths:
        unique.setdefault(os.stat(path).st_dev, path)
    return list(unique.values())


def _disk(path: Path) -> Check:
    usage = shutil.disk_usage(path)
    free_gb = usage.free / 1024**3
    detail = f"{path}: {free_gb:.1f} GiB free of {usage.total / 1024**3:.1f} GiB"
    return Check("disk", usage.free >= MIN_FREE_BYTES, detail)
