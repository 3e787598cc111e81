"""The `archive` command for operators and administrators."""

from __future__ import annotations

import click

from archive.cli import (
    derivatives,
    ingest,
    jobs,
    offline,
    ops,
    photos,
    search,
    serve,
    storage,
    users,
)
from archive.cli.common import open_runtime
from archive.logs import configure_logging, early_log_format


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug details.")
def main(verbose: bool) -> None:
    """Naju old photo archive (나주 옛 사진 아카이브)."""
    configure_logging(early_log_format(), verbose)


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the configured database."""
    from archive.records.sweep import upgrade_files

    with open_runtime(require_schema=False) as runtime:
        runtime.db.upgrade()
        click.echo(f"database is up to date: {runtime.db.engine.url.render_as_string()}")
        moved = upgrade_files(runtime.db, runtime.storages)
        if moved.relocated or moved.filled:
            click.echo(
                f"stored files brought up to date: {moved.relocated} derivatives made private, "
                f"{moved.filled} public copies made"
            )


main.add_command(ingest.ingest)
main.add_command(photos.photos)
main.add_command(search.search)
main.add_command(search.reindex)
main.add_command(serve.serve)
main.add_command(serve.run)
main.add_command(users.users)
main.add_command(users.purge)
main.add_command(ops.check)
main.add_command(offline.export_site)
main.add_command(ops.fixity)
main.add_command(ops.export)
main.add_command(ops.sweep)
main.add_command(ops.collect_static)
main.add_command(jobs.jobs)
main.add_command(derivatives.derivatives)
main.add_command(storage.storage)
