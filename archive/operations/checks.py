"""Health checks shared by `archive check` and /healthz."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from archive.background import kind_label
from archive.errors import ArchiveError, IndexUnavailable
from archive.jobs.queue import queue_state
from archive.models import Photo
from archive.operations.store_checks import (
    PROBE_SECONDS,
    erasures_check,
    files_check,
    holdings_check,
    probes,
    storage_check,
)
from archive.operations.verdicts import Check
from archive.runtime import Runtime
from archive.statuses import RecordStatus

MIN_FREE_BYTES = 2 * 1024**3
# Jobs waiting longer than this mean no worker is running.
STALE_JOB_SECONDS = 600


def run_checks(runtime: Runtime, *, write: bool = True) -> list[Check]:
    """Check settings, database, storage (and that it holds what the database names), the
    search index, jobs, disk space and the rate-limit store.

    :param write: also write, read and delete a probe object in storage (the CLI does;
        /healthz, polled often, only checks that storage answers).
    """
    checks = [_settings(runtime), _database(runtime), storage_check(runtime, write)]
    if checks[1].ok:
        checks += [_index(runtime), _jobs(runtime)]
    else:
        checks.append(Check("index", False, "needs the database"))
    if write and checks[1].ok and checks[2].ok:
        checks.append(files_check(runtime))  # lists the whole store: the CLI's, not /healthz's
        checks.append(erasures_check(runtime))
    checks += [_disk(path) for path in _disk_paths(runtime)]
    if checks[1].ok and checks[2].ok:
        checks.append(holdings_check(runtime, write))
    return [*checks, rate_limit_check(runtime)]


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


def _index(runtime: Runtime) -> Check:
    try:
        documents = runtime.search.view().documents
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
    backend = runtime.search.backend.name
    return Check("index", True, f"{backend}: {documents} documents, {published} published records")


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


def rate_limit_check(runtime: Runtime) -> Check:
    """Check the store of rate-limit counters (not vital: without it the limits are counted
    per web process, and the site works)."""
    uri = runtime.settings.rate_limit_storage
    if uri.startswith("memory://"):
        return Check("rate-limits", True, "counted in each web process", vital=False)
    from limits.storage import storage_from_string

    def answers() -> bool:
        return bool(storage_from_string(uri, **RATE_LIMIT_OPTIONS).check())

    try:
        answered, fine = probes(runtime).ask("rate-limits", answers)
    except Exception as exc:  # whatever the store's client raises: it is the verdict
        fine, answered = False, True
        detail = f"{type(exc).__name__}: {exc}"[:200]
    else:
        detail = "" if answered else f"no answer within {PROBE_SECONDS} s"
    if answered and fine:
        return Check("rate-limits", True, "shared store answers", vital=False)
    return Check(
        "rate-limits",
        False,
        f"the shared store ({uri.split('://')[0]}) does not answer{': ' + detail if detail else ''}"
        "; limits are counted in each web process until it is back",
        vital=False,
    )


# How long the rate-limit store's client waits (seconds): a store that is down must not
# hold a request (the limits then fall back to each process's memory).
RATE_LIMIT_OPTIONS = {"socket_connect_timeout": 1, "socket_timeout": 1}
