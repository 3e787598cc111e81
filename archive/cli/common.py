"""Helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archive.errors import ConfigError

if TYPE_CHECKING:
    from archive.runtime import Runtime


def hide_secret_links() -> None:
    """Hide private status links in this process's log lines, as the web does: for
    commands that run long and log what jobs and files carry (ingest, jobs)."""
    from archive.features import secret_paths
    from archive.logs import install_secret_paths

    install_secret_paths(secret_paths())


def refuse_own_folder(runtime: Runtime, destination: Path) -> None:
    """Refuse a destination inside the archive's data folder or its inbox (a clear error)."""
    folder = runtime.settings.own_folder_holding(destination)
    if folder is not None:
        raise click.ClickException(
            f"{destination}은(는) 아카이브가 쓰는 폴더({folder}) 안에 있습니다. 다른 곳을 "
            f"고르세요 / {destination} lies inside the archive's own folder {folder}; "
            "choose a folder elsewhere"
        )


@contextmanager
def open_runtime(*, require_schema: bool = True) -> Iterator[Runtime]:
    """Yield the runtime, turning setting and schema problems into clear CLI errors.

    The database, storage and search modules are imported here, not when the CLI
    starts, so `archive --help` and commands that need none of them start at once.
    """
    from archive.config import load_settings
    from archive.runtime import build_runtime

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
