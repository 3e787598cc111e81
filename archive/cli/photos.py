"""`archive photos`: list catalogue records."""

from __future__ import annotations

import json

import click

from archive.cli.common import open_runtime


@click.group()
def photos() -> None:
    """Catalogue records."""


@photos.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def photos_list(as_json: bool) -> None:
    """List every record."""
    from archive.records.photos import list_photos, photo_summary

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
