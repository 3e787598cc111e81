"""`archive export-site`: the offline copy of the public corner for USB sticks and discs."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archive.cli.common import open_runtime, refuse_own_folder
from archive.errors import ArchiveError

if TYPE_CHECKING:
    from archive.features.offline.collect import Selection
    from archive.features.offline.export import Plan
    from archive.runtime import Runtime

STEPS = {"files": "파일 복사", "pages": "쪽 만들기", "checks": "링크 확인"}


def _size(n: int) -> str:
    return f"{n / 1_000_000_000:.2f} GB" if n >= 1_000_000_000 else f"{n / 1_000_000:.1f} MB"


def _stop(_signal: int, _frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # the staging folder is removed on the way out


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C while the copy is written (so it is cleaned up)."""
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.command("export-site")
@click.argument("destination", type=click.Path(path_type=Path, file_okay=False))
@click.option("--era", "eras", multiple=True, help="1970s, 1975 or 1960-1979 (repeatable).")
@click.option("--place", "places", multiple=True, help="A place and what lies in it (repeatable).")
@click.option("--exhibition", "exhibitions", multiple=True, help="An exhibition's address name.")
@click.option("--zoom", is_flag=True, help="Copy the zoom tiles too (much larger).")
@click.option("--masters", is_flag=True, help="Copy the masters too (for the records office).")
def export_site(
    destination: Path,
    eras: tuple[str, ...],
    places: tuple[str, ...],
    exhibitions: tuple[str, ...],
    zoom: bool,
    masters: bool,
) -> None:
    """Write a self-contained copy of the public corner to DESTINATION (opens from
    index.html without a network: USB sticks, CDs and DVDs)."""
    from archive.features.offline.collect import Selection, parse_era, places_within
    from archive.features.offline.export import plan

    console = Console(stderr=True)
    with _stopped_by_sigterm(), open_runtime() as runtime:
        refuse_own_folder(runtime, destination)
        try:
            selection = Selection(
                eras=tuple(parse_era(e) for e in eras),
                places=places_within(runtime.gazetteer, places),
                exhibitions=exhibitions,
                zoom=zoom,
                masters=masters,
            )
            chosen = plan(runtime, selection)
        except ArchiveError as exc:
            raise click.ClickException(str(exc)) from exc
        _report(console, chosen)
        pages = _write(console, runtime, destination, chosen, selection)
    used = sum(p.stat().st_size for p in destination.rglob("*") if p.is_file())
    click.echo(
        f"{destination}: 사진 {len(chosen.records)}장, 쪽 {pages}개, {_size(used)} — "
        "모든 링크를 확인했습니다. index.html을 여세요 / done, every link checked"
    )


def _report(console: Console, chosen: Plan) -> None:
    """Say how large the copy will be; past a DVD, how to split it by era."""
    from archive.features.offline.export import DVD_BYTES

    console.print(f"사진 {len(chosen.records)}장, 예상 크기 {_size(chosen.bytes)}")
    if chosen.bytes > DVD_BYTES:
        console.print(
            "[bold]DVD 한 장(4.7 GB)에 들어가지 않습니다.[/bold] 시대별로 나누어 만드세요 "
            "/ larger than a DVD; split by era:"
        )
        for n, group in enumerate(chosen.discs(), 1):
            options = " ".join(f"--era {d}" for d in group if d != "undated")
            console.print(f"  {n}번째 디스크: archive export-site DEST{n} {options}")
    if any(record.master for record in chosen.records):
        console.print("원본 파일(마스터)을 포함합니다: 기록관 보관용입니다 / masters included")


def _write(
    console: Console, runtime: Runtime, destination: Path, chosen: Plan, selection: Selection
) -> int:
    """Write the copy with a progress bar; return the number of pages."""
    from archive.features.offline.export import export_site

    totals = {"files": len(chosen.files), "pages": len(chosen.records), "checks": 0}
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), console=console,
    ) as progress:  # fmt: skip
        tasks = {k: progress.add_task(STEPS[k], total=totals[k] or None) for k in STEPS}
        try:
            return export_site(
                runtime, destination, chosen, selection,
                progress=lambda step, n: progress.advance(tasks[step], n),
            )  # fmt: skip
        except KeyboardInterrupt as exc:
            raise click.ClickException("중단했습니다. 만들던 사본은 지웠습니다 / stopped") from exc
        except (ArchiveError, OSError) as exc:
            raise click.ClickException(f"사본을 만들지 못했습니다 / failed: {exc}") from exc
