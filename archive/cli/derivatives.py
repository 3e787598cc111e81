"""`archive derivatives`: see which derivatives are out of date, and re-make them."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archive.cli.common import open_runtime
from archive.renditions import RENDITIONS


@click.command()
@click.option("--regenerate", is_flag=True, help="Re-make what is out of date (else only count).")
@click.option(
    "--kind",
    "kinds",
    multiple=True,
    type=click.Choice([spec.name for spec in RENDITIONS]),
    help="Only this kind of derivative (repeat for several; default: every kind).",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON line per record, then a summary.")
def derivatives(regenerate: bool, kinds: tuple[str, ...], as_json: bool) -> None:
    """Re-make derivatives after a size setting or a declaration changed (resumable)."""
    from archive.ingest.regenerate import Regenerated, Regenerator, outdated

    with open_runtime() as runtime:
        todo = outdated(runtime, kinds or None)
        if not regenerate:
            click.echo(f"{len(todo)} records have out-of-date derivatives (--regenerate)")
            return
        done: list[Regenerated] = []
        regenerator = Regenerator(runtime, kinds or None)
        try:
            with _progress(len(todo), as_json) as progress:
                task = progress.add_task("derivatives", total=len(todo))

                def report(result: Regenerated) -> None:
                    done.append(result)
                    progress.advance(task)
                    if as_json:
                        click.echo(json.dumps(result.__dict__, ensure_ascii=False))

                regenerator.run(report)
        finally:
            regenerator.close()
        runtime.job_runner("derivatives-cli").run_due()  # old files go now, not later
    failed = [r for r in done if r.failed]
    summary = {"records": len(done), "failed": len(failed)}
    click.echo(json.dumps({"summary": summary}) if as_json else f"다시 만듦: {summary}")
    if failed:
        raise SystemExit(1)


def _progress(total: int, quiet: bool) -> Progress:
    return Progress(
        TextColumn("[bold]파생 이미지[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, quiet=quiet),
    )
