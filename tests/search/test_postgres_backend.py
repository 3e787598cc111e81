"""The PostgreSQL search backend: written in the record's own transaction, and answering
every query as the Whoosh backend does over the same records (PostgreSQL pass only)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from archive.config import load_settings
from archive.errors import IndexUnavailable
from archive.features.catalogue.edits import update_photo
from archive.models import Job, Photo, SearchDocument
from archive.records.photos import create_photo
from archive.runtime import Runtime, build_runtime
from archive.search.query import SearchRequest, run_search
from tests.databases import BACKEND, module_settings
from tests.search.collection import populate
from tests.search.stories import populate_stories
from tests.search.story_cases import STORY_CASES
from tests.search.test_relevance import CASES

pytestmark = pytest.mark.skipif(BACKEND != "postgres", reason="runs in the PostgreSQL pass")


def search(runtime: Runtime, request: SearchRequest) -> Any:
    return run_search(runtime.search.view(), request, runtime.gazetteer, runtime.search.analyzer)


def publish(runtime: Runtime, session: Session, title: str) -> Photo:
    fields = {"title": title, "status": "published"}
    return create_photo(session, fields, source="scan", gazetteer=runtime.gazetteer)


def ids(runtime: Runtime, text: str, public: bool = True) -> list[str]:
    return [h["id"] for h in search(runtime, SearchRequest(text, public=public)).hits]


def test_a_change_is_searchable_when_its_transaction_commits(runtime: Runtime) -> None:
    assert runtime.search.backend.name == "postgres"
    runtime.search.rebuild(runtime.db)
    with runtime.db.session() as session:
        photo = publish(runtime, session, "영산포 장날")
        public_id = photo.public_id
    assert ids(runtime, "장날") == [public_id]  # no worker, no sync
    with runtime.db.session() as session:
        assert session.scalar(select(func.count(Job.id)).where(Job.kind == "index")) == 0
    with pytest.raises(RuntimeError), runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
        update_photo(
            session, photo, {"title": "남평 물놀이"}, actor="t", gazetteer=runtime.gazetteer
        )
        session.flush()
        raise RuntimeError("the request fails after the change")
    assert ids(runtime, "장날") == [public_id] and ids(runtime, "물놀이") == []


def test_terms_with_quotes_and_backslashes_are_stored_and_found(runtime: Runtime) -> None:
    runtime.search.rebuild(runtime.db)
    odd = "o'brien\\ 'quoted' a:b & c | !"
    with runtime.db.session() as session:
        publish(runtime, session, odd)
    assert len(ids(runtime, "o'brien")) == 1
    assert len(ids(runtime, odd)) == 1
    with runtime.db.session() as session:
        assert session.scalar(select(func.count()).select_from(SearchDocument)) == 1


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, Runtime]]:
    """The collection and the stories in one database, indexed by each backend."""
    root: Path = tmp_path_factory.mktemp("both")
    settings = load_settings({}, **module_settings(root))
    runtimes = tuple(
        build_runtime(settings.with_overrides(search_backend=name))
        for name in ("whoosh", "postgres")
    )
    whoosh, postgres = runtimes
    postgres.db.upgrade()
    with postgres.db.session() as session:
        populate(session, postgres.gazetteer)
        populate_stories(session, postgres.gazetteer)
    whoosh.search.rebuild(whoosh.db)
    postgres.search.rebuild(postgres.db)
    yield whoosh, postgres
    for runtime in runtimes:
        runtime.close()


def requests() -> list[SearchRequest]:
    asked = [SearchRequest(t, f.get("era"), f.get("place"), limit=100) for t, f, *_ in CASES]
    asked += [SearchRequest(t, f.get("era"), f.get("place"), limit=100) for t, f, *_ in STORY_CASES]
    more = [replace(r, sort=s) for r in asked[:20] for s in ("oldest", "newest")]
    more += [replace(r, public=False, limit=5, offset=2) for r in asked[:20]]
    more += [SearchRequest("", era="1970년대"), SearchRequest("", place="영산포", sort="newest")]
    return asked + more


def test_both_backends_answer_alike(both: tuple[Runtime, Runtime]) -> None:
    """Hits in the same order with the same scores, totals, facets, notes and suggestions."""
    whoosh, postgres = both
    assert (whoosh.search.backend.name, postgres.search.backend.name) == ("whoosh", "postgres")
    for request in requests():
        one, other = search(whoosh, request).as_json(), search(postgres, request).as_json()
        assert one == other, request


def test_a_table_of_an_older_layout_is_not_searched_until_a_writer_rebuilds_it(
    runtime: Runtime,
) -> None:
    runtime.search.rebuild(runtime.db)
    with runtime.db.session() as session:
        publish(runtime, session, "영산포 장날")
        session.execute(text("UPDATE search_state SET version = 'an-older-layout'"))
    with pytest.raises(IndexUnavailable):
        runtime.search.view()
    with runtime.db.session() as session:  # changes go on meanwhile, as jobs
        photo = session.scalars(select(Photo)).one()
        update_photo(
            session, photo, {"title": "영산포 장날 풍경"}, actor="t", gazetteer=runtime.gazetteer
        )
    assert runtime.search.sync(runtime.db) == 1  # the worker rebuilds
    assert runtime.search.backend.version == runtime.search.version
    assert len(ids(runtime, "풍경")) == 1
