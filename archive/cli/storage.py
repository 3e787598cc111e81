"""`archive storage migrate --to s3`: move stored files to another backend, resumably."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archive.cli.common import open_runtime
from archive.storage import BACKENDS


@click.group()
def storage() -> None:
    """Where stored files live."""


@storage.command("migrate")
@click.option("--to", "target", required=True, type=click.Choice(list(BACKENDS)))
@click.option("--json", "as_json", is_flag=True, help="One JSON line per record, then a summary.")
def storage_migrate(target: str, as_json: bool) -> None:
    """Copy every file to another backend (verified), then point its row there.

    Set ARCHIVE_STORAGE to the new backend too, so new files go there. Interrupted, it
    goes on where it stopped when run again; `archive sweep --include-originals` then
    removes the copies left in the old backend.
    """
    from archive.errors import ArchiveError
    from archive.operations.migrate_storage import Moved, migrate, records_to_move

    with open_runtime() as runtime:
        total = len(records_to_move(runtime.db, target))
        moved: list[Moved] = []
        progress = Progress(
            TextColumn("[bold]저장소 옮기기[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True, quiet=as_json),
        )
        with progress:
            task = progress.add_task("migrate", total=total)

            def report(record: Moved) -> None:
                moved.append(record)
                progress.advance(task)
                if as_json:
                    click.echo(json.dumps(record.__dict__), nl=True)

            try:
                migrate(
                    runtime.db,
                    runtime.storages,
                    target,
                    report,
                    runtime.settings.data_dir / "tmp",
                )
            except (ArchiveError, OSError) as exc:
                raise click.ClickException(f"옮기지 못했습니다 / migration stopped: {exc}") from exc
    files = sum(record.files for record in moved)
    summary = {"records": len(moved), "files": files, "to": target}
    click.echo(json.dumps({"summary": summary}) if as_json else f"옮김 / moved: {summary}")
