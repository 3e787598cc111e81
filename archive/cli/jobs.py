"""`archive jobs`: see the job queue, do due jobs, and give failed jobs another try."""

from __future__ import annotations

import json
import os
import socket

import click

from archive.cli.common import hide_secret_links, open_runtime


@click.group()
def jobs() -> None:
    """The queue of work done after commits (index updates, file deletions, ...)."""


@jobs.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def jobs_status(as_json: bool) -> None:
    """Show how many jobs wait or failed, by kind, and why the failed ones failed."""
    from archive.jobs.queue import failed_jobs, queue_state

    with open_runtime() as runtime, runtime.db.session() as session:
        state = queue_state(session)
        failed = failed_jobs(session)
    if as_json:
        click.echo(
            json.dumps(
                {"pending": state.pending, "failed": state.failed, "failed_jobs": failed},
                ensure_ascii=False,
                default=str,  # the times a job was first queued
            )
        )
        return
    click.echo(f"대기 / pending: {state.pending or 0}")
    click.echo(f"실패 / failed: {state.failed or 0}")
    for job in failed:
        first = job["queued_at"].isoformat(timespec="seconds")
        click.echo(
            f"  #{job['id']} {job['kind']} ({job['attempts']}회, {first}부터): {job['last_error']}"
        )


@jobs.command("run")
def jobs_run() -> None:
    """Do every job that is due now (a watching ingest worker does this all the time)."""
    hide_secret_links()
    with open_runtime() as runtime:
        done = runtime.job_runner(f"{socket.gethostname()}:{os.getpid()}:cli").run_due()
    click.echo(f"{done} jobs done")


@jobs.command("retry")
def jobs_retry() -> None:
    """Give every failed job another round of tries."""
    from archive.jobs.queue import revive_failed

    with open_runtime() as runtime, runtime.db.session() as session:
        count = revive_failed(session)
    click.echo(f"{count} failed jobs will be tried again")
