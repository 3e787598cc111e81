"""The Whoosh backend's fast path (posting blocks read as numpy arrays, BM25 and facets over
them) gives what Whoosh's own public API gives, on an index of several segments with
deletions: scores computed from Whoosh's matchers and columns, and facets counted from
its term queries and columns. A Whoosh release that changed its codec or pickle layout
would fail here rather than give wrong results."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sqlalchemy import select
from whoosh.query import Term

from archive.features.catalogue.edits import update_photo
from archive.models import Photo
from archive.runtime import Runtime
from archive.search.documents import TEXT_FIELDS
from archive.search.whoosh.facets import decade_counts, place_counts
from archive.search.whoosh.scoring import K1, B, bm25
from archive.search.whoosh.view import SearchView
from tests.search.test_index import WORDS, _many

pytestmark = pytest.mark.whoosh  # Whoosh's own postings, on any database


@pytest.fixture
def view(runtime: Runtime) -> SearchView:
    """A view of 1,200 records in several segments, a fifth of them edited since (their
    old documents deleted in the old segments), dated over six decades."""
    _many(runtime, 1200)
    with runtime.db.session() as session:
        for photo in session.scalars(select(Photo).where(Photo.id % 4 == 0)):
            date = f"{1930 + photo.id % 60}년" if photo.id % 3 else "1960년대"
            update_photo(session, photo, {"date": date}, actor="test", gazetteer=runtime.gazetteer)
    runtime.search.rebuild(runtime.db, procs=2)  # several segments
    with runtime.db.session() as session:
        for photo in session.scalars(select(Photo).where(Photo.id % 5 == 0)):
            changes = {"title": f"{photo.title} 장날"}
            update_photo(session, photo, changes, actor="test", gazetteer=runtime.gazetteer)
    runtime.search.sync(runtime.db)
    arrays = runtime.search.whoosh.view_of_new_searcher()
    reader = arrays.searcher.reader()
    assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
    return arrays


def _live(view: SearchView) -> list[int]:
    reader = view.searcher.reader()
    return [doc for doc in range(view.maxdoc) if not reader.is_deleted(doc)]


def _reference_bm25(
    view: SearchView, terms: list[tuple[str, float]], docs: list[int]
) -> list[float]:
    """BM25 as archive.search.whoosh.scoring defines it, from Whoosh's public API alone."""
    searcher, reader = view.searcher, view.searcher.reader()
    live = _live(view)
    scores = dict.fromkeys(docs, 0.0)
    for field, boost in TEXT_FIELDS.items():
        lengths = list(reader.column_reader(f"{field}_len"))
        average = max(sum(lengths) / len(lengths), 1.0)
        for term, weight in terms:
            frequencies: dict[int, float] = {}
            if (field, term) in reader:
                matcher = searcher.postings(field, term)
                while matcher.is_active():
                    frequencies[matcher.id()] = matcher.weight()
                    matcher.next()
            if not frequencies:
                continue
            idf = math.log(1 + (len(live) - len(frequencies) + 0.5) / (len(frequencies) + 0.5))
            for doc in docs:
                tf = frequencies.get(doc, 0.0)
                norm = K1 * (1 - B + B * lengths[doc] / average)
                scores[doc] += weight * boost * idf * tf * (K1 + 1) / (tf + norm)
    return [scores[doc] for doc in docs]


def test_scores_equal_bm25_from_whooshs_own_postings(view: SearchView) -> None:
    live = _live(view)
    for chosen in (live[::50], live):  # a few looked up, or all scored over every posting
        docs = np.asarray(chosen, dtype=np.int64)
        for terms in ([("장날", 1.0)], [("학교", 1.0), ("다리", 0.5)], [(w, 1.0) for w in WORDS]):
            fast = bm25(view, terms, docs).tolist()
            reference = _reference_bm25(view, terms, docs.tolist())
            assert fast == pytest.approx(reference, rel=1e-9, abs=1e-12), terms
            assert any(score > 0 for score in fast)


def test_facets_equal_counts_from_whooshs_own_queries(view: SearchView, runtime: Runtime) -> None:
    reader = view.searcher.reader()
    starts = list(reader.column_reader("year_start"))
    ends = list(reader.column_reader("year_end"))
    live = _live(view)
    for matched in (live, live[::3], live[:10]):
        docs = np.asarray(matched, dtype=np.int64)
        decades: dict[str, int] = {}
        for doc in matched:
            if starts[doc] > 0:
                for decade in range(starts[doc] // 10 * 10, ends[doc] + 1, 10):
                    decades[f"{decade}s"] = decades.get(f"{decade}s", 0) + 1
        assert decade_counts(view, docs) == decades
        places: dict[str, int] = {}
        chosen = set(matched)
        for name, place in runtime.gazetteer.places.items():
            if place.kind == "시":
                continue
            holding = set(view.searcher.docs_for_query(Term("places", name)))
            if count := len(holding & chosen):
                places[name] = count
        assert place_counts(view, docs, runtime.gazetteer) == dict(
            sorted(places.items(), key=lambda item: (-item[1], item[0]))
        )
        assert sum(decades.values()) > 0 and places
