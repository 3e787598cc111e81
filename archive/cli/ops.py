"""`archive check`, `archive fixity` and `archive export`: the operators' tools."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archive.cli.common import open_runtime, refuse_own_folder
from archive.errors import ArchiveError

if TYPE_CHECKING:
    from archive.operations.fixity import FixityResult

CLI_ACTOR = "archive-cli"


def _progress(label: str) -> Progress:
    return Progress(
        TextColumn(f"[bold]{label}[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
    )


@click.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the checks as one JSON object.")
def check(as_json: bool) -> None:
    """Check settings, database, storage read/write, search index and disk space."""
    from archive.operations.checks import run_checks
    from archive.operations.verdicts import report

    with open_runtime(require_schema=False) as runtime:
        checks = run_checks(runtime)
    if as_json:
        click.echo(json.dumps(report(checks), ensure_ascii=False))
    else:
        for item in checks:
            verdict = "정상" if item.ok else ("문제" if item.vital else "주의")
            click.echo(f"{verdict}  {item.name:<8} {item.detail}")
    if not all(item.ok for item in checks):
        raise SystemExit(1)


@click.command("fixity")
@click.option("--derivatives", is_flag=True, help="Also re-read the public derivatives.")
@click.option("--json", "as_json", is_flag=True, help="One JSON line per problem, then a summary.")
def fixity(derivatives: bool, as_json: bool) -> None:
    """Re-read every preserved file and compare its SHA-256 with the record (exit 1 on faults)."""
    from archive.operations.fixity import check_fixity, count_files
    from archive.records.events import record_event

    with open_runtime() as runtime, runtime.db.session() as session:
        total = count_files(session, derivatives=derivatives)
        results = []
        with _progress("고정성 검사") as progress:
            task = progress.add_task("fixity", total=total)
            for result in check_fixity(session, runtime.storages, derivatives=derivatives):
                results.append(result)
                progress.advance(task)
        problems = [r for r in results if not r.ok]
        record_event(
            session,
            "fixity-checked",
            actor=CLI_ACTOR,
            message=f"{len(results)} files, {len(problems)} problems",
            detail={"problems": [{"key": p.key, "status": p.status} for p in problems]},
        )
    _print_fixity(problems, len(results), as_json)
    if problems:
        raise SystemExit(1)


def _print_fixity(problems: list[FixityResult], checked: int, as_json: bool) -> None:
    for problem in problems:
        if as_json:
            click.echo(json.dumps(asdict(problem)))
        else:
            click.echo(f"{problem.status.upper()}  {problem.key}  (record {problem.public_id})")
    if as_json:
        click.echo(json.dumps({"summary": {"checked": checked, "problems": len(problems)}}))
    else:
        click.echo(f"checked {checked} files: {len(problems)} missing or changed")


@click.command("export")
@click.argument("destination", type=click.Path(path_type=Path, file_okay=False))
@click.option("--organisation", default="나주시", show_default=True, help="Source-Organization.")
def export(destination: Path, organisation: str) -> None:
    """Write published records with their masters and metadata as a BagIt bag."""
    from archive.operations.export import ExportError, export_bag, published_photos
    from archive.records.events import record_event

    with open_runtime() as runtime, runtime.db.session() as session:
        refuse_own_folder(runtime, destination)
        total = sum(1 for _ in published_photos(session))
        with _progress("내보내기") as progress:
            task = progress.add_task("export", total=total)
            try:
                bag = export_bag(
                    session,
                    runtime.storages,
                    destination,
                    organisation=organisation,
                    on_record=lambda _photo: progress.advance(task),
                )
            except (ExportError, ArchiveError, OSError) as exc:
                raise click.ClickException(f"내보내지 못했습니다 / export failed: {exc}") from exc
        record_event(
            session,
            "exported",
            actor=CLI_ACTOR,
            message=f"{total} records",
            detail={"destination": str(destination)},
        )
    click.echo(f"wrote a BagIt bag of {total} records to {bag.path}")


@click.command("sweep")
@click.option(
    "--include-originals",
    is_flag=True,
    help="Also delete masters and uploads that no record refers to (check them first).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as one JSON object.")
def sweep(include_originals: bool, as_json: bool) -> None:
    """Remove files no record refers to, put the public prefix right, drop dead claims."""
    from archive.records.events import record_event
    from archive.records.sweep import sweep as sweep_files

    with open_runtime() as runtime:
        lease = max(600.0, runtime.settings.task_timeout * 3)
        try:
            report = sweep_files(
                runtime.db,
                runtime.storages,
                lease_seconds=lease,
                include_originals=include_originals,
            )
        except (ArchiveError, OSError) as exc:
            raise click.ClickException(f"정리하지 못했습니다 / sweep failed: {exc}") from exc
        with runtime.db.session() as session:
            record_event(session, "swept", actor=CLI_ACTOR, detail=report.as_json())
    if as_json:
        click.echo(json.dumps(report.as_json()))
        return
    counts = report.as_json()
    click.echo(
        f"정리 끝 / swept: {counts['orphans']} orphan derivatives and {counts['stray_public']} "
        f"stray public files removed, {counts['filled']} public copies made, "
        f"{counts['relocated']} derivatives made private, {counts['empty_folders']} empty "
        f"folders and {counts['stale_claims']} dead claims removed"
    )
    if report.orphan_originals and not include_originals:
        click.echo(
            f"{len(report.orphan_originals)} originals no record refers to were kept "
            "(see `archive check`; --include-originals removes them)"
        )


@click.command("collect-static")
@click.argument("destination", type=click.Path(path_type=Path, file_okay=False))
def collect_static(destination: Path) -> None:
    """Copy the site's static files to DESTINATION, for a front server to serve them
    (nginx's /static/, see deploy/nginx/); their links carry a version of their content."""
    import shutil

    from archive.web.static_files import static_folder

    source = static_folder()
    if not source.is_dir():
        raise click.ClickException(f"정적 파일이 없습니다 / no static files at {source}")
    destination.mkdir(parents=True, exist_ok=True)
    shutil.copytree(source, destination, dirs_exist_ok=True)
    copied = sum(1 for path in destination.rglob("*") if path.is_file())
    click.echo(f"{copied} static files in {destination}")
