"""The index follows the database: edits, status changes, deletes, rebuilds and damage."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result
from sqlalchemy import func, select
from whoosh.query import Term

from archive.errors import IndexUnavailable
from archive.features.catalogue.edits import delete_photo, set_status, update_photo
from archive.models import Job, Photo
from archive.records.photos import create_photo
from archive.runtime import Runtime
from archive.search.documents import TEXT_FIELDS, photo_document
from archive.search.query import SearchRequest, run_search
from archive.search.whoosh.scoring import read_common_terms
from archive.search.whoosh.view import SearchView
from tests.scans import save_jpeg


def found(runtime: Runtime, text: str, public: bool = True) -> list[str]:
    result = run_search(
        runtime.search.view(),
        SearchRequest(text, public=public),
        runtime.gazetteer,
        runtime.search.analyzer,
    )
    return [hit["id"] for hit in result.hits]


def add(runtime: Runtime, title: str, status: str = "published", **fields: str) -> str:
    with runtime.db.session() as session:
        photo = create_photo(
            session,
            {"title": title, "status": status, **fields},
            source="scan",
            gazetteer=runtime.gazetteer,
        )
        public_id = photo.public_id
    runtime.search.sync(runtime.db)
    return public_id


def test_edit_publish_withdraw_delete_are_reflected_at_once(runtime: Runtime) -> None:
    public_id = add(runtime, "영산포 장날", status="draft", date="1970년대")
    assert found(runtime, "장날") == []
    assert found(runtime, "장날", public=False) == [public_id]
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        set_status(session, photo, "published", actor="tester", storages=runtime.storages)
    runtime.search.sync(runtime.db)
    assert found(runtime, "장날") == [public_id]

    with runtime.db.session() as session:
        photo = session.scalars(select(Photo)).one()
        diff = update_photo(
            session,
            photo,
            {"title": "남평 드들강 물놀이", "date": "1965년경"},
            actor="tester",
            gazetteer=runtime.gazetteer,
        )
        assert diff["title"] == ("영산포 장날", "남평 드들강 물놀이")
        assert (photo.date_start, photo.date_end, photo.date_edtf) == (1963, 1967, "1965~")
    runtime.search.sync(runtime.db)
    assert found(runtime, "장날") == [] and found(runtime, "물놀이") == [public_id]
    assert found(runtime, "1960년대 물놀이") == [public_id]

    with runtime.db.session() as session:
        set_status(
            session,
            session.scalars(select(Photo)).one(),
            "withdrawn",
            actor="tester",
            storages=runtime.storages,
        )
    runtime.search.sync(runtime.db)
    assert found(runtime, "물놀이") == []

    with runtime.db.session() as session:
        delete_photo(
            session, session.scalars(select(Photo)).one(), actor="tester", storages=runtime.storages
        )
    runtime.search.sync(runtime.db)
    assert found(runtime, "물놀이", public=False) == []
    with runtime.db.session() as session:
        assert session.scalar(select(func.count(Job.id))) == 0


@pytest.mark.whoosh
def test_busy_writer_never_blocks_long_and_loses_nothing(runtime: Runtime) -> None:
    add(runtime, "첫 사진")
    with runtime.search.writer_lock(wait=1) as held:
        assert held
        with runtime.db.session() as session:
            create_photo(
                session,
                {"title": "기다리는 사진", "status": "published"},
                source="scan",
                gazetteer=runtime.gazetteer,
            )
        started = time.monotonic()
        assert runtime.search.sync(runtime.db, wait=0.2) == 0
        assert time.monotonic() - started < 2
    assert found(runtime, "기다리는") == []
    assert runtime.search.sync(runtime.db) == 1
    assert len(found(runtime, "기다리는")) == 1


def test_concurrent_writers_lose_no_update(runtime: Runtime) -> None:
    errors: list[BaseException] = []

    def writer(prefix: str) -> None:
        try:
            for n in range(10):
                with runtime.db.session() as session:
                    create_photo(
                        session,
                        {"title": f"{prefix} 동시 사진 {n}", "status": "published"},
                        source="scan",
                        gazetteer=runtime.gazetteer,
                    )
                runtime.search.sync(runtime.db, wait=0)
        except BaseException as exc:  # collected and re-raised in the test thread
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(p,)) for p in ("가", "나")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    runtime.search.sync(runtime.db)
    result = run_search(
        runtime.search.view(),
        SearchRequest("동시", limit=100),
        runtime.gazetteer,
        runtime.search.analyzer,
    )
    assert result.total == 20


@pytest.mark.whoosh
def test_rebuild_swaps_generations_and_old_searchers_keep_working(runtime: Runtime) -> None:
    public_id = add(runtime, "금성관 앞")
    old = runtime.search.whoosh.arrays().searcher
    first = (runtime.settings.index_dir / "current").resolve()
    assert runtime.search.rebuild(runtime.db) == 1
    assert (runtime.settings.index_dir / "current").resolve() != first
    assert old.doc_count() == 1
    assert found(runtime, "금성관") == [public_id]


@pytest.mark.whoosh
def test_corrupt_or_missing_index_is_rebuilt_by_a_writer_never_by_a_reader(
    runtime: Runtime,
) -> None:
    public_id = add(runtime, "영산강 나룻배")
    generation = (runtime.settings.index_dir / "current").resolve()
    for toc in generation.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    fresh = Runtime(runtime.settings, runtime.db, runtime.storages)
    with pytest.raises(IndexUnavailable):
        found(fresh, "나룻배")  # a reader answers at once and writes nothing
    assert (runtime.settings.index_dir / "current").resolve() == generation
    fresh.search.sync(fresh.db)  # what the worker does
    assert found(fresh, "나룻배") == [public_id]
    shutil.rmtree(runtime.settings.index_dir)
    fresh = Runtime(runtime.settings, runtime.db, runtime.storages)
    with pytest.raises(IndexUnavailable):
        found(fresh, "나룻배")
    fresh.search.sync(fresh.db)
    assert found(fresh, "나룻배") == [public_id]


def test_ingested_scans_are_searchable_right_away(
    runtime: Runtime, inbox: Path, cli: Callable[..., Result]
) -> None:
    save_jpeg(inbox / "a.jpg")
    (inbox / "a.json").write_text(
        json.dumps(
            {"title": "나주역 광장", "date": "1975", "place": "나주역", "status": "published"}
        ),
        "utf-8",
    )
    cli("ingest", "--json")
    result = json.loads(cli("search", "나주역", "--json").output)
    assert result["total"] == 1 and result["hits"][0]["title"] == "나주역 광장"
    assert set(result["hits"][0]) == {
        "id",
        "identifier",
        "title",
        "date",
        "place",
        "score",
        "highlight",
    }
    assert result["facets"]["decades"] == {"1970s": 1}
    # the station lay in 나주읍 of 나주군, then of 금성시: each historic unit counts it
    assert result["facets"]["places"] == {"구 나주역": 1, "나주읍": 1, "나주군": 1, "금성시": 1}


def test_search_cli_edges(runtime: Runtime, cli: Callable[..., Result]) -> None:
    assert cli("search").exit_code == 2
    unknown = cli("search", "--place", "서울")
    assert unknown.exit_code == 1 and "unknown place" in unknown.output
    bad_era = cli("search", "--era", "옛날")
    assert bad_era.exit_code == 1 and "unknown era" in bad_era.output
    add(runtime, "영산포 등대", date="1965년경", place="영산포 등대")
    by_era = json.loads(cli("search", "--era", "1960년대", "--json").output)
    assert by_era["total"] == 1 and by_era["query"]["era"]["edtf"] == "196X"
    by_place = json.loads(cli("search", "--place", "영산동", "--json").output)
    assert by_place["total"] == 1
    assert "reindexed 1" in cli("reindex").output


@pytest.mark.whoosh
def test_the_writer_lock_is_held_for_one_bounded_batch_at_a_time(runtime: Runtime) -> None:
    from archive.search.index import DRAIN_BATCH

    add(runtime, "첫 사진")
    with runtime.db.session() as session:
        for n in range(DRAIN_BATCH + 50):
            create_photo(
                session,
                {"title": f"밀린 사진 {n}", "status": "published"},
                source="scan",
                gazetteer=runtime.gazetteer,
            )
    assert runtime.search.sync(runtime.db, max_batches=1) == DRAIN_BATCH
    assert runtime.search.sync(runtime.db) == 50
    assert len(found(runtime, "밀린")) == 20  # the first page of all of them


PLACES = ["영산동", "금남동", "남평읍", "다시면", "공산면", "왕곡면"]
WORDS = ["장날", "학교", "다리", "운동회", "졸업식", "나루터", "기차역", "시장"]


def _many(runtime: Runtime, count: int) -> None:
    """Add published records whose words and places repeat (long posting lists)."""
    with runtime.db.session() as session:
        for n in range(count):
            title = f"{WORDS[n % len(WORDS)]} {WORDS[n * 7 % len(WORDS)]} {n}"
            create_photo(
                session,
                {"title": title, "status": "published", "place": PLACES[n % len(PLACES)]},
                source="scan",
                gazetteer=runtime.gazetteer,
            )


@pytest.mark.whoosh
def test_postings_decoded_or_read_a_block_at_a_time_equal_whooshs_own(runtime: Runtime) -> None:
    """A view's postings, from the files the writer decoded (archive.search.whoosh.postings)
    and, for segments without them, from Whoosh's blocks (archive.search.whoosh.fixes), are
    what Whoosh's matcher gives for every term: several segments, long and inline lists,
    deletions."""
    _many(runtime, 1500)
    runtime.search.rebuild(runtime.db, procs=2)  # several segments
    with runtime.db.session() as session:
        for photo in session.scalars(select(Photo).where(Photo.id % 5 == 0)):
            changes = {"title": f"{photo.title} 고침"}
            update_photo(session, photo, changes, actor="test", gazetteer=runtime.gazetteer)
    runtime.search.sync(runtime.db)  # edits: deletions in old segments, a new segment
    generation = (runtime.settings.index_dir / "current").resolve()
    decoded = sorted(p.name for p in (generation / "postings").iterdir())
    decoded_view = runtime.search.whoosh.view_of_new_searcher()
    assert decoded == sorted(key[1] for key in decoded_view.segment_keys)
    decoded_view.postings("text_3", "고침")  # maps every segment's files
    fields = (*TEXT_FIELDS, "places")
    reader = decoded_view.searcher.reader()
    whooshs = [
        (text.decode(), info.doc_frequency())
        for field in fields
        for text, info in reader.iter_field(field)
    ]
    assert list(decoded_view.vocabulary(fields)) == whooshs
    shutil.rmtree(generation / "postings" / decoded[0])  # one segment read through Whoosh
    for view in (decoded_view, runtime.search.whoosh.view_of_new_searcher()):
        searcher = view.searcher
        reader = searcher.reader()
        assert len(list(reader.leaf_readers())) > 1 and reader.has_deletions()
        checked = 0
        for field in (*TEXT_FIELDS, "places", "status"):
            for text, _info in reader.iter_field(field):
                term = text.decode() if isinstance(text, bytes) else text
                matcher = searcher.postings(field, term)
                expected: list[tuple[int, float]] = []
                while matcher.is_active():
                    expected.append((matcher.id(), matcher.weight()))
                    matcher.next()
                ids, weights = view.postings(field, term)
                assert ids.dtype == np.int64 and weights.dtype == np.float64
                pairs = list(zip(ids.tolist(), weights.tolist(), strict=True))
                assert pairs == expected, (field, term)
                checked += 1
        assert checked > 20


def _whooshs_own(view: SearchView, field: str, value: str) -> list[int]:
    return sorted(view.searcher.docs_for_query(Term(field, value)))


@pytest.mark.whoosh
def test_arrays_read_by_segment_equal_whooshs_own_and_outlive_a_change(runtime: Runtime) -> None:
    """Columns and filter sets are read a segment at a time and kept by segment: they
    equal what Whoosh reads, and a change to the index reads only its new segment."""
    _many(runtime, 1500)
    with runtime.db.session() as session:  # dates: columns with values, and without
        for photo in session.scalars(select(Photo).where(Photo.id % 3 == 0)):
            date = f"{1930 + photo.id % 60}년" if photo.id % 2 else "1970년대"
            update_photo(session, photo, {"date": date}, actor="test", gazetteer=runtime.gazetteer)
    runtime.search.rebuild(runtime.db, procs=2)  # several segments
    runtime.search.warm()  # as the web server does before it forks
    backend = runtime.search.whoosh
    kept = list(backend.segments.kept())
    assert kept and all(key[0][1] for key in kept)  # read before any web request

    def built_again() -> None:
        raise AssertionError("the speller was built again")

    assert backend.arrays().memo("speller", built_again) is not None  # a worker's view has it
    deletions = {state[:2]: state[2] for state in backend.arrays().state}
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.id == 7)).one()
        update_photo(session, photo, {"date": "1955년"}, actor="test", gazetteer=runtime.gazetteer)
    runtime.search.sync(runtime.db)  # a new segment, one deletion in an old one
    view = backend.arrays()
    reader = view.searcher.reader()
    for name in ("year_start", "year_end", "precision", *(f"{t}_len" for t in TEXT_FIELDS)):
        own = list(reader.column_reader(name))
        assert view.column(name).tolist() == own, name
    assert view.column("year_start").any()
    with runtime.db.session() as session:
        ids = [("id", i) for i in session.scalars(select(Photo.public_id).limit(3))]
    assert len(ids) == 3
    # places and status from the decoded postings, ids (never decoded) through Whoosh
    for field, value in [("places", p) for p in PLACES] + [("status", "published"), *ids]:
        assert view.docs_with(field, value).tolist() == _whooshs_own(view, field, value)
        assert _whooshs_own(view, field, value)
        assert np.flatnonzero(view.mask_of(field, (value,))).tolist() == _whooshs_own(
            view, field, value
        )
    # What was read of the old segments is not read again, though the change deleted the
    # edited record's old document in one of them.
    untouched = [key for key in kept if key[0] in view.segment_keys]
    grown = [state[:2] for state in view.state if state[2] > deletions.get(state[:2], 0)]
    assert grown and any(key[0] in grown for key in untouched)

    def read_again() -> np.ndarray:
        raise AssertionError("read again")

    for key in untouched:
        backend.segments.get(key, read_again)
    assert all(key[0] in view.segment_keys for key in backend.segments.kept())
    # Ids read from the id terms are the stored ids of every live document.
    live = [doc for doc in range(view.maxdoc) if not reader.is_deleted(doc)]
    stored = [reader.stored_fields(doc)["id"] for doc in live]
    assert view.ids_of(live) == stored and len(set(stored)) == len(live)


@pytest.mark.whoosh
def test_warming_reads_the_commonest_words_within_its_budget(runtime: Runtime) -> None:
    """Before the web server forks, the words most documents hold are read first (their
    first search is the slowest), as long as their postings fit the budget."""
    _many(runtime, 400)
    runtime.search.sync(runtime.db)
    view = runtime.search.whoosh.arrays()
    postings: Counter[str] = Counter()
    for field in TEXT_FIELDS:
        for term, count in view.vocabulary([field]):
            postings[term] += count
    budget = 16 * sum(sorted(postings.values(), reverse=True)[:3]) + 15
    read = read_common_terms(view, budget)
    assert len(read) == 3 and 16 * sum(postings[t] for t in read) <= budget
    assert min(postings[t] for t in read) >= max(postings[t] for t in postings if t not in read)

    def read_again() -> np.ndarray:
        raise AssertionError("read again")

    for term in read:
        own = set().union(*(view.searcher.docs_for_query(Term(f, term)) for f in TEXT_FIELDS))
        assert view.cached(("term", term), read_again).tolist() == sorted(own)


@pytest.mark.whoosh
def test_a_view_of_the_same_segments_takes_over_what_the_last_one_worked_out(
    runtime: Runtime,
) -> None:
    """The web server works search sets out before forking; each worker opens its own
    searcher, whose view takes them over, unless the index changed meanwhile."""
    add(runtime, "영산포 장날")
    backend = runtime.search.whoosh
    view = backend.arrays()
    assert view.remember("marker", lambda: "worked out") == "worked out"
    backend.before_fork()
    again = backend.arrays()
    assert again.searcher is not view.searcher

    def fail() -> str:
        raise AssertionError("worked out again")

    assert again.remember("marker", fail) == "worked out"
    backend.before_fork()
    add(runtime, "남평 다리")  # a new segment: nothing is taken over
    assert backend.arrays().remember("marker", lambda: "anew") == "anew"


@pytest.mark.whoosh
def test_hits_without_details_are_the_same_hits(runtime: Runtime) -> None:
    """Pages that show cards ask for hits without stored fields: the same ids, order and
    scores, and SearchResult.highlight marks a record's text as a detailed hit does."""
    _many(runtime, 300)
    # The same record edited twice before the index catches up: its id's term lists two
    # documents of one segment (one deleted); then once more, in a segment of its own.
    for text in ("나루터에서 본 영산포 장날 풍경", "장날 다시 고침", "장날 세 번째"):
        with runtime.db.session() as session:
            photo = session.scalars(select(Photo).where(Photo.id == 3)).one()
            changes = {"description": text}
            update_photo(session, photo, changes, actor="t", gazetteer=runtime.gazetteer)
        if text != "나루터에서 본 영산포 장날 풍경":
            runtime.search.sync(runtime.db)
    # Written twice by one writer: its id's term lists two documents of one segment.
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.id == 5)).one()
        document = photo_document(photo, runtime.gazetteer, runtime.search.analyzer)
    with runtime.search.writer_lock(10):
        runtime.search.whoosh.apply([document, document], [])
    view = runtime.search.whoosh.arrays()
    reader = view.searcher.reader()
    live = [doc for doc in range(view.maxdoc) if not reader.is_deleted(doc)]
    assert view.ids_of(live) == [reader.stored_fields(doc)["id"] for doc in live]
    asks = [
        SearchRequest("장날"),
        SearchRequest("장날 학교", sort="oldest"),
        SearchRequest("", None, "영산동", limit=50, offset=10),
        SearchRequest("나루터 시장", sort="newest"),
    ]
    searched = runtime.search.view()
    for ask in asks:
        full = run_search(searched, ask, runtime.gazetteer, runtime.search.analyzer)
        lean = run_search(
            searched, replace(ask, details=False), runtime.gazetteer, runtime.search.analyzer
        )
        assert full.hits, ask
        assert [(h["id"], h["score"]) for h in lean.hits] == [
            (h["id"], h["score"]) for h in full.hits
        ]
        assert all(set(h) == {"id", "score"} for h in lean.hits)
        for hit in full.hits:
            stored = view.searcher.document(id=hit["id"])["stored"]
            marked = lean.highlight(stored.get("description", ""), stored.get("title", ""))
            assert marked == hit["highlight"], hit["id"]


@pytest.mark.whoosh
def test_threads_sharing_a_view_read_the_index_correctly(runtime: Runtime) -> None:
    """A web worker's threads share one view: reading long posting lists at the same time
    must give each thread what one thread alone reads (Whoosh's files are shared)."""
    _many(runtime, 2400)
    runtime.search.rebuild(runtime.db)
    places, words = PLACES, WORDS

    def read(view: SearchView) -> list[object]:
        masks = [view.mask_of("places", (p,)).nonzero()[0].tolist() for p in places]
        terms = [runtime.search.analyzer.query_terms(w)[0] for w in words]
        postings = [view.postings("title", t)[0].tolist() for t in terms]
        return [masks, postings, view.column("year_start").tolist()]

    expected = read(runtime.search.whoosh.view_of_new_searcher())
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can: races show
    try:
        _read_together(runtime, read, expected)
    finally:
        sys.setswitchinterval(switch)


def _read_together(
    runtime: Runtime, read: Callable[[SearchView], list[object]], expected: list[object]
) -> None:
    for _round in range(5):
        shared = runtime.search.whoosh.view_of_new_searcher()
        answers: list[list[object]] = []
        errors: list[BaseException] = []

        def reader(
            view: SearchView = shared,
            answers: list[list[object]] = answers,
            errors: list[BaseException] = errors,
        ) -> None:
            try:
                answers.append(read(view))
            except Exception as exc:
                errors.append(exc)

        threads = [threading.Thread(target=reader) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert answers == [expected] * 6


@pytest.mark.whoosh
def test_place_counts_are_each_places_records_for_any_match(runtime: Runtime) -> None:
    """Facet counts per place, read from one table of each record's places, equal the
    records each place's own filter finds, for a few matched records and for most."""
    from archive.search.whoosh.facets import place_counts

    places = ["영산포", "남평읍", "금성관", "드들강", "나주역", "영산동", ""]
    with runtime.db.session() as session:
        for n in range(64):
            fields = {"title": f"사진 {n}", "status": "published", "place": places[n % 7]}
            create_photo(session, fields, source="scan", gazetteer=runtime.gazetteer)
    runtime.search.sync(runtime.db)
    view = runtime.search.whoosh.arrays()
    names = [n for n, p in runtime.gazetteer.places.items() if p.kind != "시"]
    everyone = np.arange(view.maxdoc, dtype=np.int64)
    for matched in (everyone[:0], everyone[:3], everyone[::5], everyone[1:], everyone):
        expected = {}
        for name in names:
            count = int(np.count_nonzero(view.mask_of("places", (name,))[matched]))
            if count:
                expected[name] = count
        counted = place_counts(view, matched, runtime.gazetteer)
        assert counted == expected and list(counted.values()) == sorted(counted.values())[::-1]
    assert place_counts(view, everyone, runtime.gazetteer)["영산동"] >= 18  # 영산포 lies in it
