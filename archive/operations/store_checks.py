"""Checks of the stores: that they answer, that they hold what the database says they
hold, that the public prefix is right, that erased records left nothing.

/healthz asks these often and must answer at once whatever a store does: its questions
go through Probes (one question at a time per store, in a thread of its own, waited on
for PROBE_SECONDS at most) and the holdings sample is remembered for a minute.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import SQLAlchemyError

from archive.errors import ArchiveError
from archive.models import Photo, PhotoFile
from archive.operations.verdicts import Check
from archive.records.claims import stale_claims
from archive.records.publication import DELETE_FILES
from archive.runtime import Runtime
from archive.statuses import FileRole, RecordStatus

PROBE_SECONDS = 0.8
SAMPLE_CLI = 20  # stored files `archive check` looks for
SAMPLE_HEALTH = 3  # ... and /healthz, at most once a minute per process
SAMPLE_SECONDS = 60.0


class Probes:
    """Ask a store a question, waiting PROBE_SECONDS at most; questions arriving while one
    is still out wait on that one instead of asking again (a hanging store gets one)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._asking: dict[str, Future[Any]] = {}

    def ask(self, name: str, question: Callable[[], Any]) -> tuple[bool, Any]:
        """Return (answered in time, the answer); an error the question raised is raised."""
        with self._lock:
            pending = self._asking.get(name)
            if pending is None or pending.done():
                pending = Future()
                self._asking[name] = pending
                threading.Thread(
                    target=_answer, args=(question, pending), name=f"probe-{name}", daemon=True
                ).start()
        try:
            return True, pending.result(timeout=PROBE_SECONDS)
        except TimeoutError:
            return False, None


def _answer(question: Callable[[], Any], pending: Future[Any]) -> None:
    try:
        pending.set_result(question())
    except BaseException as exc:  # handed to whoever waits: nothing is lost here
        pending.set_exception(exc)


def probes(runtime: Runtime) -> Probes:
    """Return the probes of a runtime's stores (one set per process and runtime)."""
    found: Probes = runtime.check_memo.setdefault("probes", Probes())
    return found


def storage_check(runtime: Runtime, write: bool) -> Check:
    """Check the store: write, read and delete a probe (the CLI), or see that it answers
    within PROBE_SECONDS (/healthz)."""
    try:
        if write:
            runtime.storage.check()
        else:
            ping = partial(runtime.storage.exists, "checks/ping")
            answered, _ = probes(runtime).ask("storage", ping)
            if not answered:
                return Check("storage", False, f"no answer within {PROBE_SECONDS} s (slow or down)")
    except (ArchiveError, OSError) as exc:
        return Check("storage", False, f"{type(exc).__name__}: {exc}"[:300])
    return Check("storage", True, "read/write ok" if write else "reachable")


def holdings_check(runtime: Runtime, write: bool) -> Check:
    """Look for a random sample of the files the database says are stored (masters and
    public copies); a store that answers but holds none of them is an emergency."""
    if write:
        return _holdings(runtime, SAMPLE_CLI)
    seen = runtime.check_memo.get("holdings")
    if seen is not None and time.monotonic() - seen[0] < SAMPLE_SECONDS:
        return seen[1]
    try:
        answered, verdict = probes(runtime).ask(
            "holdings", partial(_holdings, runtime, SAMPLE_HEALTH)
        )
    except (ArchiveError, OSError, SQLAlchemyError) as exc:
        return Check("holdings", False, f"{type(exc).__name__}: {exc}"[:300])
    if not answered:
        return Check("holdings", False, f"no answer within {PROBE_SECONDS} s")
    runtime.check_memo["holdings"] = (time.monotonic(), verdict)
    return verdict


def _holdings(runtime: Runtime, count: int) -> Check:
    with runtime.db.session() as session:
        rows = session.execute(
            select(PhotoFile.backend, PhotoFile.key, PhotoFile.public_key)
            .join(Photo)
            .where(
                or_(
                    PhotoFile.role == FileRole.MASTER,
                    (Photo.status == RecordStatus.PUBLISHED) & PhotoFile.public_key.is_not(None),
                )
            )
            .order_by(func.random())
            .limit(count)
        ).all()
    if not rows:
        return Check("holdings", True, "nothing stored yet")
    # A master is looked for under its key; a published derivative, as its public copy.
    missing = [
        public or key
        for backend, key, public in rows
        if not runtime.storages.of(backend).holds(public or key)
    ]
    if len(missing) == len(rows):
        return Check(
            "holdings",
            False,
            f"EMERGENCY: the store holds none of {len(rows)} sampled files the database names "
            "(emptied, replaced, or the wrong bucket): stop the workers and run `archive "
            "fixity`; restore the store from its backup",
        )
    if missing:
        return Check(
            "holdings",
            False,
            f"{len(missing)} of {len(rows)} sampled files are missing (e.g. {missing[0]}): "
            "run `archive fixity` to list them all",
        )
    return Check("holdings", True, f"{len(rows)} sampled files all present")


def files_check(runtime: Runtime) -> Check:
    """Survey stored files: the public prefix must hold published records' copies only."""
    from archive.records.sweep import survey

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


def erasures_check(runtime: Runtime) -> Check:
    """Check that no file of an erased record remains (once its deletion job has run)."""
    from archive.jobs.queue import queue_state
    from archive.records.erasure import erased_files

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
