"""The `archive` command: database, ingest and record listing for operators."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from archive.config import load_settings
from archive.errors import ConfigError
from archive.ingest.pipeline import IngestResult
from archive.ingest.progress import ProgressReporter, describe
from archive.ingest.watch import start_observer
from archive.ingest.worker import IngestWorker
from archive.runtime import Runtime, build_runtime
from archive.services.photos import list_photos, photo_summary


@contextmanager
def open_runtime(*, require_schema: bool = True) -> Iterator[Runtime]:
    """Yield the runtime, turning setting and schema problems into clear CLI errors."""
    try:
        runtime = build_runtime(load_settings())
    except ConfigError as exc:
        raise click.ClickException(f"설정 오류 / configuration error: {exc}") from exc
    try:
        if require_schema and not runtime.schema_is_current():
            raise click.ClickException(
                "데이터베이스가 최신 구조가 아닙니다. 먼저 `archive db upgrade`를 실행하세요 / "
                "the database is not migrated: run `archive db upgrade` first"
            )
        yield runtime
    finally:
        runtime.close()


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log debug details.")
def main(verbose: bool) -> None:
    """Naju old photo archive (나주 옛 사진 아카이브)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.group()
def db() -> None:
    """Database schema commands."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration to the configured database."""
    with open_runtime(require_schema=False) as runtime:
        runtime.db.upgrade()
        click.echo(f"database is up to date: {runtime.db.engine.url.render_as_string()}")


@main.command()
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
    with open_runtime() as runtime:
        root = directory or runtime.settings.inbox_dir
        if mode == "watch":
            _watch(runtime, root, keep_source, as_json)
            return
        summary = _once(runtime, root, keep_source, as_json)
    if summary.get("failed"):
        sys.exit(1)


def _once(runtime: Runtime, root: Path, keep_source: bool, as_json: bool) -> dict[str, Any]:
    if as_json:
        with IngestWorker(
            runtime.settings,
            runtime.db,
            runtime.storage,
            keep_source=keep_source,
            on_result=_print_json,
        ) as worker:
            summary = worker.run_once(root).as_json()
        click.echo(json.dumps(summary, ensure_ascii=False))
        return summary
    with (
        ProgressReporter(root) as reporter,
        IngestWorker(
            runtime.settings,
            runtime.db,
            runtime.storage,
            keep_source=keep_source,
            on_result=reporter.update,
        ) as worker,
    ):
        summary = worker.run_once(root).as_json()
    reporter.print_summary(summary)
    return summary


def _print_json(result: IngestResult) -> None:
    click.echo(json.dumps(result.as_json(), ensure_ascii=False))


def _watch(runtime: Runtime, root: Path, keep_source: bool, as_json: bool) -> None:
    stop, wake = threading.Event(), threading.Event()

    def request_stop(_signum: int, _frame: Any) -> None:
        stop.set()
        wake.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    log = logging.getLogger("archive.ingest")
    report = _print_json if as_json else (lambda result: log.info(describe(result)))
    observer = start_observer(root, wake)
    log.info("수집함 감시 시작 / watching %s", root.resolve())
    try:
        with IngestWorker(
            runtime.settings, runtime.db, runtime.storage, keep_source=keep_source, on_result=report
        ) as worker:
            worker.watch(root, stop, wake)
    finally:
        if observer is not None:
            observer.stop()
            observer.join(timeout=5)
    log.info("감시 종료 / stopped watching")


@main.group()
def photos() -> None:
    """Catalogue records."""


@photos.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def photos_list(as_json: bool) -> None:
    """List every record."""
    with open_runtime() as runtime, runtime.db.session() as session:
        for photo in list_photos(session):
            summary = photo_summary(photo)
            if as_json:
                click.echo(json.dumps(summary, ensure_ascii=False))
            else:
                click.echo(
                    f"{summary['id']}\t{summary['status']}\t{summary['identifier'] or '-'}"
                    f"\t{summary['title'] or '(제목 없음)'}"
                )


if __name__ == "__main__":
    main()
