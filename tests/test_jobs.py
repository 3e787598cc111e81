"""The job queue: written with the change, claimed once, retried with backoff, reported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from click.testing import Result
from sqlalchemy import select, update

from archive.background import KINDS, JobContext, JobRunner
from archive.jobs import queue
from archive.jobs.kinds import PATIENT, SHORT, JobKind, RetryPolicy, registry
from archive.jobs.queue import Claimed, claim, enqueue, finish, pending_subjects, retry
from archive.models import Job
from archive.records.publication import DELETE_FILES
from archive.runtime import Runtime
from archive.search.index import INDEX


def jobs_of(runtime: Runtime) -> list[Job]:
    with runtime.db.session() as session:
        return list(session.scalars(select(Job).order_by(Job.id)))


def test_a_job_is_written_with_its_change_or_not_at_all(runtime: Runtime) -> None:
    with pytest.raises(RuntimeError), runtime.db.session() as session:
        enqueue(session, DELETE_FILES, {"files": []})
        raise RuntimeError("the change fails")
    assert jobs_of(runtime) == []
    with runtime.db.session() as session:
        enqueue(session, DELETE_FILES, {"files": []}, subject="x")
    assert [(j.kind, j.subject, j.state) for j in jobs_of(runtime)] == [
        ("delete-files", "x", "pending")
    ]


def test_several_workers_claim_each_job_exactly_once(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        for n in range(60):
            enqueue(session, DELETE_FILES, {"files": []}, subject=str(n))
    taken: dict[str, list[int]] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            mine: list[int] = []
            while batch := claim(runtime.db, [DELETE_FILES.name], name, limit=7):
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


def test_a_failing_job_backs_off_by_its_policy_then_gives_up_and_check_says_so(
    runtime: Runtime, cli: Callable[..., Result]
) -> None:
    calls: list[int] = []

    def broken(_context: JobContext, job: Claimed) -> None:
        calls.append(job.id)
        raise OSError("storage is read-only")

    policy = RetryPolicy(timedelta(hours=6), timedelta(seconds=10), timedelta(minutes=20))
    kind = JobKind("broken-test", "시험용 작업", policy, broken)
    runner = JobRunner(runtime.job_runner("tester").context, "tester", {**KINDS, kind.name: kind})
    with runtime.db.session() as session:
        enqueue(session, kind)
    runner.run_due()
    [job] = jobs_of(runtime)
    assert job.attempts == 1 and job.state == "pending" and "read-only" in job.last_error
    due = job.run_after if job.run_after.tzinfo else job.run_after.replace(tzinfo=UTC)
    assert (
        datetime.now(UTC) + timedelta(seconds=4) < due < datetime.now(UTC) + timedelta(seconds=11)
    )
    runner.run_due()
    assert len(calls) == 1  # not due yet: not tried again at once
    for hours in (1, 3, 5):  # tried again and again while the policy's six hours last
        _age_jobs(runtime, timedelta(hours=hours))
        runner.run_due()
        [job] = jobs_of(runtime)
        assert job.state == "pending"
        due = job.run_after if job.run_after.tzinfo else job.run_after.replace(tzinfo=UTC)
        assert due <= datetime.now(UTC) + timedelta(minutes=20)  # the wait is capped
    _age_jobs(runtime, timedelta(hours=6, minutes=1))
    runner.run_due()
    [job] = jobs_of(runtime)
    assert job.state == "failed" and job.attempts == 5 == len(calls)
    cli("jobs", "run")  # the search index is built, so only the failed job is left to report
    check = cli("check", "--json")
    assert check.exit_code == 1 and "failed: broken-test 1" in check.output
    status = cli("jobs", "status")
    assert "broken-test" in status.output and "read-only" in status.output
    assert "1 failed jobs will be tried again" in cli("jobs", "retry").output
    [job] = jobs_of(runtime)
    assert (job.state, job.attempts) == ("pending", 0)
    assert datetime.now(UTC) - _aware(job.created_at) < timedelta(minutes=1)  # a fresh period


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _age_jobs(runtime: Runtime, age: timedelta) -> None:
    """Make every job first queued age ago and due now (as if that time had passed)."""
    now = datetime.now(UTC)
    with runtime.db.session() as session:
        session.execute(update(Job).values(created_at=now - age, run_after=now))


def test_retry_policies_double_the_wait_up_to_a_cap_with_jitter() -> None:
    waits = [PATIENT.wait(n, jitter=0.999).total_seconds() for n in range(1, 10)]
    assert waits[0] == pytest.approx(30, rel=0.01) and waits[1] == pytest.approx(60, rel=0.01)
    assert max(waits) == pytest.approx(3600, rel=0.01)  # an hour at most between tries
    assert PATIENT.wait(3, jitter=0.0).total_seconds() == pytest.approx(60)  # half of 120 s
    assert PATIENT.wait(400, jitter=0.5) <= PATIENT.longest_wait  # no overflow late on
    start = datetime(2026, 1, 1, tzinfo=UTC)
    assert not PATIENT.gives_up(start, start + timedelta(days=6, hours=23))
    assert PATIENT.gives_up(start, start + timedelta(days=7))
    assert SHORT.keep_trying < PATIENT.keep_trying


def test_every_kind_is_declared_once_with_a_label_and_a_policy() -> None:
    assert set(KINDS) == {
        "index", "delete-files", "notify", "staff-digest", "ingest-retry", "tables-apply"
    }  # fmt: skip
    assert all(kind.label and kind.retry.keep_trying.total_seconds() > 0 for kind in KINDS.values())
    # Mail and deletions depend on another service: they keep trying for days.
    for name in ("notify", "staff-digest", "delete-files"):
        assert KINDS[name].retry.keep_trying >= timedelta(days=3)
    with pytest.raises(ValueError, match="declared twice"):
        registry([DELETE_FILES, JobKind("delete-files", "다른 것")])


def test_an_eager_job_is_done_after_the_commit_and_left_to_workers_if_it_fails(
    runtime: Runtime,
) -> None:
    done: list[str] = []
    with runtime.db.session() as session:
        enqueue(session, DELETE_FILES, {"files": []}, eager=lambda: done.append("now"))
        assert done == []  # not before the commit
    assert done == ["now"] and jobs_of(runtime) == []

    def fails() -> None:
        raise OSError("bucket unreachable")

    with runtime.db.session() as session:
        enqueue(session, DELETE_FILES, {"files": []}, eager=fails)
    [left] = jobs_of(runtime)
    assert left.state == "pending"
    runtime.job_runner("tester").run_due()  # the worker does it (nothing to delete here)
    assert jobs_of(runtime) == []


def test_index_jobs_name_their_records(runtime: Runtime) -> None:
    from archive.records.photos import create_photo

    with runtime.db.session() as session:
        photo = create_photo(session, {"title": "큐"}, source="scan", gazetteer=runtime.gazetteer)
        public_id = photo.public_id
    with runtime.db.session() as session:
        assert pending_subjects(session, INDEX) == {public_id}
    runtime.job_runner("tester").run_due()
    with runtime.db.session() as session:
        assert pending_subjects(session, INDEX) == set()


def test_a_claimed_job_of_a_dead_worker_is_taken_over_after_the_lease(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        enqueue(session, DELETE_FILES)
    [job] = claim(runtime.db, [DELETE_FILES.name], "dead-worker")
    assert claim(runtime.db, [DELETE_FILES.name], "alive") == []
    with runtime.db.session() as session:
        long_ago = datetime.now(UTC) - timedelta(seconds=queue.LEASE_SECONDS + 5)
        session.execute(update(Job).values(claimed_at=long_ago))
    [again] = claim(runtime.db, [DELETE_FILES.name], "alive")
    assert again.id == job.id
    assert retry(runtime.db, again, "x", DELETE_FILES.retry) is True
