"""The project's relevance set, scored: queries passed, recall@10, first-result precision."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from archive.config import load_settings
from archive.runtime import build_runtime
from archive.search.query import SearchRequest, run_search
from tests.search.collection import populate
from tests.search.stories import populate_stories
from tests.search.story_cases import STORY_CASES
from tests.search.test_relevance import CASES


def relevance_figures(
    backend: str = "whoosh", database: Callable[[], AbstractContextManager[str]] | None = None
) -> dict[str, Any]:
    """Run the cases as the tests do (the collection's over it alone, the stories' over
    both) on a backend; return the figures.

    :param database: gives the URL of a scratch database (None: SQLite in a folder).
    """
    scores = [
        _score(CASES, False, backend, database),
        _score(STORY_CASES, True, backend, database),
    ]
    recalls = [r for score in scores for r in score[1]]
    firsts = [f for score in scores for f in score[2]]
    return {
        "queries": len(CASES) + len(STORY_CASES),
        "passed": sum(score[0] for score in scores),
        "recall_at_10": round(sum(recalls) / len(recalls), 3),
        "first_result_precision": round(sum(firsts) / len(firsts), 3),
    }


def _score(
    cases: list[Any],
    stories: bool,
    backend: str,
    database: Callable[[], AbstractContextManager[str]] | None,
) -> tuple[int, list[float], list[bool]]:
    with (
        tempfile.TemporaryDirectory(prefix="bench-relevance-") as tmp,
        database() if database else nullcontext("") as url,
    ):
        root = Path(tmp)
        values = {"database_url": url} if url else {}
        settings = load_settings(
            {}, data_dir=root / "var", scans_dir=root / "s", search_backend=backend, **values
        )
        runtime = build_runtime(settings)
        runtime.db.upgrade()
        with runtime.db.session() as session:
            populate(session, runtime.gazetteer)
            if stories:
                populate_stories(session, runtime.gazetteer)
        runtime.search.rebuild(runtime.db)
        passed, recalls, firsts = 0, [], []
        for text, filters, must, must_not, first in cases:
            request = SearchRequest(text, filters.get("era"), filters.get("place"), limit=100)
            result = run_search(
                runtime.search.view(), request, runtime.gazetteer, runtime.search.analyzer
            )
            found = [h["identifier"].removeprefix("NJ-") for h in result.hits]
            ok = must <= set(found) and not must_not & set(found)
            ok = ok and (first is None or (found[:1] == [first]))
            passed += ok
            if must:
                recalls.append(len(must & set(found[:10])) / len(must))
            if first is not None:
                firsts.append(found[:1] == [first])
        runtime.close()
    return passed, recalls, firsts
