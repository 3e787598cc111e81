"""Helpers shared by the CLI commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

from archive.config import load_settings
from archive.errors import ConfigError

if TYPE_CHECKING:
    from archive.runtime import Runtime


@contextmanager
def open_runtime(*, require_schema: bool = True) -> Iterator[Runtime]:
    """Yield the runtime, turning setting and schema problems into clear CLI errors.

    The database, storage and search modules are imported here, not when the CLI
    starts, so `archive --help` and commands that need none of them start at once.
    """
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
