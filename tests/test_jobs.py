"""The job queue: written with the change, claimed once, retried with backoff, reported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import Result
from sqlalchemy import select, update

from archive.jobs import queue
from archive.jobs.queue import Claimed, claim, enqueue, finish, pending_subjects, retry
from archive.models import Job
from archive.runtime import Runtime
from archive.services.jobs import HANDLERS, JobContext


def jobs_of(runtime: Runtime) -> list[Job]:
    with runtime.db.session() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_a_job_is_written_with_its_change_or_not_at_all(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError), runtime.db.session() as session:
        enqueue(session, "delete-files", {"files": []})
        raise RuntimeError("the change fails")
    assert jobs_of(runtime) == []
    with runtime.db.session() as session:
        enqueue(session, "delete-files", {"files": []}, subject="x")
    assert [(j.kind, j.subject, j.state) for j in jobs_of(runtime)] == [
        ("delete-files", "x", "pending")
    ]


def test_several_workers_claim_each_job_exactly_once(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        for n in range(60):
            enqueue(session, "delete-files", {"files": []}, subject=str(n))
    taken: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            mine: list[int] = []
            while batch := claim(runtime.db, ["delete-files"], name, limit=7):
                mine += [job.id for job in batch]
                finish(runtime.db, [job.id for job in batch])
            taken[name] = mine
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    claimed = [job for jobs in taken.values() for job in jobs]
    assert len(claimed) == 60 and len(set(claimed)) == 60
    assert jobs_of(runtime) == []


def test_a_failing_job_backs_off_then_stays_failed_and_check_says_so(
    runtime: Runtime, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []

    def broken(_context: JobContext, job: Claimed) -> None:
        calls.append(job.id)
        raise OSError("storage is read-only")

    monkeypatch.setitem(HANDLERS, "broken-test", broken)
    with runtime.db.session() as session:
        enqueue(session, "broken-test")
    runner = runtime.job_runner("tester")
    runner.run_due()
    [job] = jobs_of(runtime)
    assert job.attempts == 1 and job.state == "pending" and "read-only" in job.last_error
    due = job.run_after if job.run_after.tzinfo else job.run_after.replace(tzinfo=UTC)
    assert due > datetime.now(UTC) + timedelta(seconds=1)  # backed off
    runner.run_due()
    assert len(calls) == 1  # not due yet: not tried again at once
    for _ in range(queue.MAX_ATTEMPTS):
        with runtime.db.session() as session:
            session.execute(update(Job).values(run_after=datetime.now(UTC)))
        runner.run_due()
    [job] = jobs_of(runtime)
    assert job.state == "failed" and job.attempts == queue.MAX_ATTEMPTS
    assert len(calls) == queue.MAX_ATTEMPTS
    cli("jobs", "run")  # the search index is built, so only the failed job is left to report
    check = cli("check", "--json")
    assert check.exit_code == 1 and "failed: broken-test 1" in check.output
    status = cli("jobs", "status")
    assert "broken-test" in status.output and "read-only" in status.output
    assert "1 failed jobs will be tried again" in cli("jobs", "retry").output
    [job] = jobs_of(runtime)
    assert (job.state, job.attempts) == ("pending", 0)


def test_an_eager_job_is_done_after_the_commit_and_left_to_workers_if_it_fails(
    runtime: Runtime,
) -> None:
    done: list[str] = []
    with runtime.db.session() as session:
        enqueue(session, "delete-files", {"files": []}, eager=lambda: done.append("now"))
        assert done == []  # not before the commit
    assert done == ["now"] and jobs_of(runtime) == []

    def fails() -> None:
        raise OSError("bucket unreachable")

    with runtime.db.session() as session:
        enqueue(session, "delete-files", {"files": []}, eager=fails)
    [left] = jobs_of(runtime)
    assert left.state == "pending"
    runtime.job_runner("tester").run_due()  # the worker does it (nothing to delete here)
    assert jobs_of(runtime) == []


def test_index_jobs_name_their_records(runtime: Runtime) -> None:
    from archive.services.photos import create_photo

    with runtime.db.session() as session:
        photo = create_photo(session, {"title": "큐"}, source="scan", gazetteer=runtime.gazetteer)
        public_id = photo.public_id
    with runtime.db.session() as session:
        assert pending_subjects(session, "index") == {public_id}
    runtime.job_runner("tester").run_due()
    with runtime.db.session() as session:
        assert pending_subjects(session, "index") == set()


def test_a_claimed_job_of_a_dead_worker_is_taken_over_after_the_lease(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        enqueue(session, "delete-files")
    [job] = claim(runtime.db, ["delete-files"], "dead-worker")
    assert claim(runtime.db, ["delete-files"], "alive") == []
    with runtime.db.session() as session:
        long_ago = datetime.now(UTC) - timedelta(seconds=queue.LEASE_SECONDS + 5)
        session.execute(update(Job).values(claimed_at=long_ago))
    [again] = claim(runtime.db, ["delete-files"], "alive")
    assert again.id == job.id
    assert retry(runtime.db, again, "x") is True
