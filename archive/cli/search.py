"""`archive search` and `archive reindex`."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import click

from archive.cli.common import open_runtime

if TYPE_CHECKING:
    from archive.search.query import SearchResult


@click.command()
@click.argument("query", required=False, default="")
@click.option("--era", help="Decade or range: 1970s, 1970년대, 1965~1972.")
@click.option("--place", help="A place in the gazetteer: 영산동, 남평, 금성관 ...")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 200))
@click.option("--all-statuses", is_flag=True, help="Include drafts and withdrawn records.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def search(
    query: str, era: str | None, place: str | None, limit: int, all_statuses: bool, as_json: bool
) -> None:
    """Search photos by words, era and place (published ones unless --all-statuses)."""
    from archive.search.query import SearchError, SearchRequest, run_search

    if not query.strip() and not era and not place:
        raise click.UsageError(
            "검색어나 --era, --place 중 하나는 필요합니다 / give a QUERY, --era or --place"
        )
    request = SearchRequest(query, era, place, limit, public=not all_statuses)
    with open_runtime() as runtime:
        index = runtime.search
        index.sync(runtime.db)  # the CLI may write: build or bring the index up to date
        try:
            result = run_search(index.view(), request, runtime.gazetteer, index.analyzer)
        except SearchError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print_result(result)


def print_result(result: SearchResult) -> None:
    """Print hits as plain lines."""
    for note in result.understood.notes:
        click.echo(f"※ {note}")
    click.echo(f"{result.total}건 / {result.total} found")
    for hit in result.hits:
        snippet = re.sub(r"</?mark>", "", hit["highlight"] or "")
        click.echo(
            f"{hit['id']}  {hit['date'] or '-'}  {hit['place'] or '-'}  {hit['title']}"
            + (f"  — {snippet}" if snippet else "")
        )


@click.command()
def reindex() -> None:
    """Rebuild the search index from the database (built aside, then swapped in)."""
    with open_runtime() as runtime:
        count = runtime.search.rebuild(runtime.db)
    click.echo(f"색인 재구축 완료: {count}건 / reindexed {count} records")
