"""`archive ingest`: process the drop folder once or keep watching it."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archive.cli.common import hide_secret_links, open_runtime

if TYPE_CHECKING:
    from archive.ingest.pipeline import IngestResult
    from archive.runtime import Runtime
    from archive.search.model_process import ModelProcess


@click.command()
@click.argument(
    "directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@click.option(
    "--once",
    "mode",
    flag_value="once",
    default=True,
    help="Process what is there now, then exit (default).",
)
@click.option("--watch", "mode", flag_value="watch", help="Keep watching for new files.")
@click.option("--keep-source", is_flag=True, help="Leave dropped files where they are.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
def ingest(directory: Path | None, mode: str, keep_source: bool, as_json: bool) -> None:
    """Ingest scans from DIRECTORY (default: scans/inbox/)."""
    stop, wake = threading.Event(), threading.Event()
    _stop_on_signals(stop, wake)
    hide_secret_links()
    model = _model_process(directory) if mode == "once" else None
    try:
        with open_runtime() as runtime:
            root = directory or runtime.settings.inbox_dir
            if mode == "watch":  # the worker beside the web: its decoders inherit this
                _step_back(runtime.settings.ingest_nice)
                watch(runtime, root, keep_source, as_json, stop, wake)
                return
            runtime.search.analyzer.helper = model
            summary = once(runtime, root, keep_source, as_json, stop)
    finally:
        if model is not None:
            model.close()
    if summary.get("failed"):
        sys.exit(1)


def _step_back(niceness: int) -> None:
    """Make this process at least as nice as asked (never less nice than it is)."""
    current = os.nice(0)
    if current < niceness:
        os.nice(niceness - current)


def _model_process(directory: Path | None) -> ModelProcess | None:
    """Start loading the Korean model on the other core first, if there is text to index.

    It loads while this process imports, decodes and stores (see model_process.py).
    """
    from archive.config import load_settings
    from archive.errors import ConfigError
    from archive.ingest.files import has_descriptions
    from archive.search.model_process import ModelProcess

    try:
        settings = load_settings()
    except ConfigError:
        return None  # open_runtime explains it
    if not has_descriptions(directory or settings.inbox_dir):
        return None
    return ModelProcess(settings)


def _stop_on_signals(stop: threading.Event, wake: threading.Event) -> None:
    """Let SIGTERM and SIGINT finish the files in hand, then stop (nothing is failed)."""

    def request_stop(_signum: int, _frame: Any) -> None:
        stop.set()
        wake.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)


def once(
    runtime: Runtime,
    root: Path,
    keep_source: bool,
    as_json: bool,
    stop: threading.Event | None = None,
) -> dict[str, Any]:
    """Process what is under root now (until stop is set); return the summary."""
    from archive.ingest.progress import ProgressReporter
    from archive.ingest.worker import IngestWorker

    if as_json:
        with IngestWorker(
            runtime, keep_source=keep_source, on_result=print_json, stop=stop
        ) as worker:
            summary = worker.run_once(root).as_json()
        click.echo(json.dumps(summary, ensure_ascii=False))
        return summary
    with (
        ProgressReporter(root) as reporter,
        IngestWorker(
            runtime, keep_source=keep_source, on_result=reporter.update, stop=stop
        ) as worker,
    ):
        summary = worker.run_once(root).as_json()
    reporter.print_summary(summary)
    return summary


def print_json(result: IngestResult) -> None:
    """Print one file's outcome as a JSON line."""
    click.echo(json.dumps(result.as_json(), ensure_ascii=False))


def watch(
    runtime: Runtime,
    root: Path,
    keep_source: bool,
    as_json: bool,
    stop: threading.Event | None = None,
    wake: threading.Event | None = None,
) -> None:
    """Watch root until SIGINT/SIGTERM (or until stop is set by the caller)."""
    from archive.ingest.progress import describe
    from archive.ingest.watch import start_observer
    from archive.ingest.worker import IngestWorker

    stop = stop or threading.Event()
    wake = wake or threading.Event()
    log = logging.getLogger("archive.ingest")
    report = print_json if as_json else (lambda result: log.info(describe(result)))
    log.info("수집함 감시 시작 / watching %s", root.resolve())
    observer = None
    try:
        with IngestWorker(runtime, keep_source=keep_source, on_result=report, stop=stop) as worker:
            observer = start_observer(root, wake, worker.own_moves)
            worker.watch(root, wake)
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
    log.info("감시 종료 / stopped watching")
