"""Operator-facing output: a rich progress bar and one plain line per file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from archive.ingest.files import discover
from archive.ingest.pipeline import IngestResult

LABELS = {
    "ingested": "등록",
    "attached": "첨부",
    "duplicate": "중복",
    "failed": "실패",
    "skipped": "보류",
}


def describe(result: IngestResult) -> str:
    """Return one plain Korean line about a file's outcome."""
    label = LABELS.get(result.outcome, result.outcome)
    line = f"[{label}] {result.file}"
    if result.id:
        line += f" → 기록 {result.id}"
    if result.outcome in ("failed", "skipped", "duplicate") and (result.korean or result.reason):
        line += f" : {result.korean or result.reason}"
    for warning in result.warnings:
        line += f" (주의: {warning})"
    return line


class ProgressReporter:
    """Show a progress bar with done/duplicate/failed counts and the rate."""

    def __init__(self, root: Path) -> None:
        self.console = Console(stderr=True)
        self.total = len(discover(root))
        self.counts = {"done": 0, "duplicate": 0, "failed": 0}
        self.progress = Progress(
            TextColumn("[bold]수집[/bold]"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn(
                "완료 {task.fields[done]} · 중복 {task.fields[duplicate]} · "
                "실패 {task.fields[failed]}"
            ),
            TextColumn("{task.fields[rate]}/분"),
            TimeElapsedColumn(),
            console=self.console,
        )
        self.task = self.progress.add_task(
            "ingest", total=self.total or None, rate="-", done=0, duplicate=0, failed=0
        )

    def __enter__(self) -> ProgressReporter:
        self.progress.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.progress.stop()

    def update(self, result: IngestResult) -> None:
        """Count one file and print its line when it did not simply succeed."""
        key = "done" if result.outcome in ("ingested", "attached") else result.outcome
        self.counts[key] = self.counts.get(key, 0) + 1
        elapsed = self.progress.tasks[0].elapsed or 0
        done = sum(self.counts.values())
        rate = f"{done * 60 / elapsed:.0f}" if elapsed else "-"
        counts = self.counts
        self.progress.update(
            self.task,
            advance=1,
            rate=rate,
            done=counts["done"],
            duplicate=counts["duplicate"],
            failed=counts["failed"],
        )
        if result.outcome not in ("ingested", "attached") or result.warnings:
            self.progress.console.print(describe(result), markup=False)

    def print_summary(self, summary: dict[str, Any]) -> None:
        """Print the closing counts."""
        self.console.print(
            f"끝: 등록 {summary['ingested']}, 첨부 {summary['attached']}, "
            f"중복 {summary['duplicate']}, 실패 {summary['failed']}, 보류 {summary['skipped']} "
            f"({summary['seconds']}초)",
            markup=False,
        )
