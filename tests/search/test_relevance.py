"""The relevance test set: Korean particles, spacing, eras, place hierarchy, ranking."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from archive.config import load_settings
from archive.runtime import Runtime, build_runtime
from archive.search.query import SearchRequest, SearchResult, run_search
from tests.databases import BACKEND, module_settings
from tests.search.collection import populate
from tests.search.stories import populate_stories
from tests.search.story_cases import STORY_CASES

ALL = None
CASES: list[tuple[str, dict[str, Any], set[str], set[str], str | None]] = [
    # (query, filters, must include, must exclude, must rank first)
    ("영산포에서", {}, {"01", "02", "27", "28"}, {"21", "22", "05"}, None),
    # a period that is also a subject: its era, and the records naming it first (issue 33)
    ("새마을운동", {}, {"33", "35", "30"}, {"07", "03", "14"}, "33"),
    ("새마을운동 시절 마을", {}, {"33", "35"}, {"07"}, "33"),
    ("70년대초 새마을운동", {}, {"33", "30"}, {"35", "08"}, "33"),
    # a spoken request: its fillers, request and question endings are not required
    ("영산포 선창 장날 사진 좀 보여 주세요", {}, {"01"}, {"02", "06"}, "01"),
    ("혹시 나주역 옛날 사진 볼 수 있을까요", {}, {"05"}, {"06", "18"}, "05"),
    ("거시기 드들강 물놀이 사진 있으믄 보여주쇼", {}, {"03"}, {"07"}, "03"),
    ("저기 그러니까 금성관 졸업 사진 알려 주세요", {}, {"04"}, {"29"}, "04"),
    ("영산포 등대 아시는 분 계신가요", {}, {"02"}, {"01", "27"}, "02"),
    # ... and one that a record has still ranks it
    ("고분 발굴 구경하고 싶어요", {}, {"08"}, set(), "08"),
    # romanized places, English kinds, the keyboard in English mode, initials: read as a
    # last resort when nothing matched as typed
    ("Naju station", {}, {"05"}, {"06"}, "05"),
    ("Yeongsanpo", {}, {"01", "02"}, {"06"}, None),
    ("Geumseonggwan", {}, {"04"}, set(), "04"),
    ("skwndur", {}, {"05"}, set(), "05"),
    ("dudtksvh emdeo", {}, {"02"}, {"01"}, "02"),
    ("ㄱㅅㄱ", {}, {"04"}, set(), "04"),
    # a year then a word that starts with 경: no circa, the word searched whole
    ("1977년 경로잔치", {}, {"34"}, {"24", "33"}, "34"),
    ("77년경로잔치", {}, {"34"}, set(), "34"),
    ("경로잔치", {}, {"34"}, set(), "34"),
    ("영산포 선창", {}, {"01"}, {"02", "12"}, "01"),
    ("빨래하는", {}, {"06", "07"}, set(), None),
    ("빨래터", {}, {"06"}, set(), "06"),
    # "사진" says little in a photo archive: it ranks, it does not exclude (issue 14)
    ("졸업 사진", {}, {"04", "29", "15"}, set(), None),
    ("졸업사진", {}, {"04", "29", "15"}, set(), None),
    ("졸업", {}, {"04", "15", "29"}, set(), None),
    ("나주역", {}, {"05"}, {"06"}, "05"),
    # the old station lay in 나주읍 (gazetteer history): a filter by the 읍 includes it
    ("나주읍내", {}, {"06", "05"}, {"03"}, "06"),
    ("1960년대", {}, {"02", "03", "07", "11", "18", "25", "29"}, {"12", "01", "06"}, None),
    (
        "",
        {"era": "1970s"},
        {"01", "04", "05", "08", "09", "16", "24", "26", "29", "30"},
        {"12", "13", "21", "22"},
        None,
    ),
    ("", {"era": "1960년대"}, {"03", "29"}, {"01"}, None),
    ("70년대 영산포 장날", {}, {"01"}, {"22", "25"}, "01"),
    ("남평 물놀이", {}, {"03"}, set(), "03"),
    ("드들강물놀이", {}, {"03"}, set(), "03"),
    ("여름 물놀이", {}, {"03"}, set(), "03"),
    ("금성관", {}, {"04"}, {"10"}, "04"),
    ("영산동", {}, {"01", "02", "27", "28"}, {"21", "29"}, None),
    ("", {"place": "영산동"}, {"01", "02", "27", "28"}, {"29", "18"}, None),
    ("", {"place": "영산포읍"}, {"01", "02", "27", "28", "29"}, {"06", "04"}, None),
    ("금성시", {}, {"10", "06", "01", "29", "04", "15"}, {"03", "14"}, None),
    ("나주군", {}, {"03", "08", "19", "16"}, {"14"}, None),
    ("반남 고분", {}, {"08"}, set(), "08"),
    ("고분 발굴", {}, {"08"}, set(), "08"),
    ("나주호", {}, {"09"}, set(), "09"),
    ("다도면", {}, {"09"}, set(), "09"),
    ("혁신도시", {}, {"14"}, set(), "14"),
    ("장날", {}, {"01", "25"}, {"22"}, None),
    ("나룻배", {}, {"12", "02"}, set(), "12"),
    ("뱃사공", {}, {"12"}, set(), "12"),
    ("기차", {}, {"05", "18"}, set(), None),
    ("증기기관차", {}, {"18"}, set(), "18"),
    ("가족사진", {}, {"23", "24"}, set(), None),
    ("가족 사진", {}, {"23", "24"}, set(), None),
    ("canon", {}, {"23"}, set(), "23"),
    ("석전대제", {}, {"13"}, set(), "13"),
    ("은행나무", {}, {"26"}, set(), "26"),
    ("1978년", {}, {"26", "08", "16"}, {"24", "19"}, None),
    ("홍수가 났던 영산포", {}, {"27"}, set(), "27"),
    ("자전거를 타는", {}, {"11"}, set(), "11"),
    ("모내기하는", {}, {"19"}, set(), "19"),
    ("운동회", {}, {"17"}, set(), "17"),
    ("추수", {}, {"20"}, set(), "20"),
    ("사진관", {}, {"28"}, set(), "28"),
    ("우체국", {}, {"31", "32"}, set(), "32"),
    ("1981", {}, {"10"}, set(), None),
    ("미공개", {}, set(), {"21"}, None),
    ("철회된", {}, set(), {"22"}, None),
    ("존재하지않는낱말", {}, set(), set(), None),
    ("기차 농사", {}, {"05", "18", "19"}, set(), None),
]


@pytest.fixture(scope="module")
def collection(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    root = tmp_path_factory.mktemp("relevance")
    runtime = build_runtime(load_settings({}, **module_settings(root)))
    runtime.db.upgrade()
    with runtime.db.session() as session:
        populate(session, runtime.gazetteer)
    runtime.search.rebuild(runtime.db)
    yield runtime
    runtime.close()


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The collection and the story records together."""
    root = tmp_path_factory.mktemp("stories")
    runtime = build_runtime(load_settings({}, **module_settings(root)))
    runtime.db.upgrade()
    with runtime.db.session() as session:
        populate(session, runtime.gazetteer)
        populate_stories(session, runtime.gazetteer)
    runtime.search.rebuild(runtime.db)
    yield runtime
    runtime.close()


def run(runtime: Runtime, request: SearchRequest) -> SearchResult:
    return run_search(runtime.search.view(), request, runtime.gazetteer, runtime.search.analyzer)


def search(runtime: Runtime, text: str, **filters: Any) -> list[str]:
    request = SearchRequest(text, filters.get("era"), filters.get("place"), limit=100)
    result = run(runtime, request)
    assert result.total == len(result.hits)
    return [hit["identifier"].removeprefix("NJ-") for hit in result.hits]


@pytest.mark.parametrize(
    ("text", "filters", "must", "must_not", "first"), CASES, ids=[f"{c[0] or c[1]}" for c in CASES]
)
def test_relevance(
    collection: Runtime,
    text: str,
    filters: dict[str, Any],
    must: set[str],
    must_not: set[str],
    first: str | None,
) -> None:
    found = search(collection, text, **filters)
    assert must <= set(found), f"missing {must - set(found)} in {found}"
    assert not must_not & set(found), f"unexpected {must_not & set(found)}"
    if first is not None:
        assert found[0] == first, found
    if not must:
        assert found == [] or text == "기차 농사"


@pytest.mark.parametrize(
    ("text", "filters", "must", "must_not", "first"),
    STORY_CASES,
    ids=[f"{c[0] or c[1]}" for c in STORY_CASES],
)
def test_relevance_of_stories(
    stories: Runtime,
    text: str,
    filters: dict[str, Any],
    must: set[str],
    must_not: set[str],
    first: str | None,
) -> None:
    found = search(stories, text, **filters)
    assert must <= set(found), f"missing {must - set(found)} in {found}"
    assert not must_not & set(found), f"unexpected {must_not & set(found)}"
    if first is not None:
        assert found[0] == first, found
    if not must:
        assert found == [], found


def test_relevance_set_is_large_enough() -> None:
    assert len(CASES) + len(STORY_CASES) >= 150


def test_a_word_no_record_holds_is_left_out_and_said(collection: Runtime) -> None:
    """When not every word matches, the words no record holds are dropped first (issue 33)
    and the rest must all match; the page says which were left out."""
    result = run(collection, SearchRequest("장날 우주선"))
    assert {h["identifier"] for h in result.hits} == {"NJ-01", "NJ-25"}
    assert not result.understood.partial
    assert "'우주선'" in result.understood.notes[0] and "left out" in result.understood.notes[0]


def test_fallback_to_any_word_says_so(collection: Runtime) -> None:
    """Words that each find photos but never together: the photos with any of them."""
    result = run(collection, SearchRequest("장날 나룻배"))
    assert {h["identifier"] for h in result.hits} >= {"NJ-01", "NJ-25", "NJ-02", "NJ-12"}
    assert result.understood.partial and "some" in result.understood.notes[-1]


@pytest.mark.parametrize("text", ["졸업 사진", "졸업사진"])
def test_noise_words_rank_but_are_not_required(collection: Runtime, text: str) -> None:
    found = search(collection, text)
    assert set(found[:2]) == {"04", "29"} and "15" in found[2:]  # the ones saying 사진 first


@pytest.mark.parametrize("text", ["사진", "옛날 사진", "그때 그 모습", "옛 추억"])
def test_a_query_of_general_words_finds_nothing_and_says_why(
    collection: Runtime, text: str
) -> None:
    result = run(collection, SearchRequest(text))
    assert result.total == 0 and result.hits == []
    assert "일반적" in result.understood.notes[0]


def test_general_words_with_a_place_rank_inside_the_place(collection: Runtime) -> None:
    found = search(collection, "영산포 사진")
    assert found and found[0] == "28"  # "영산포 사진관 앞": it names both
    assert {"01", "02", "27"} <= set(found) and "06" not in found


def test_a_fallback_never_shows_records_with_none_of_the_words(collection: Runtime) -> None:
    result = run(collection, SearchRequest("장날 우주선 사진"))
    ids = [h["identifier"].removeprefix("NJ-") for h in result.hits]
    assert set(ids) == {"01", "25"}  # 장날 only: nothing for 사진 alone
    both = run(collection, SearchRequest("장날 나룻배 우주선"))
    ranked = [h["identifier"].removeprefix("NJ-") for h in both.hits]
    assert set(ranked) == {"01", "25", "02", "12"}


def test_a_place_in_the_text_filters_and_ranks(collection: Runtime) -> None:
    found = search(collection, "금성관")
    assert found[0] == "04"


@pytest.mark.parametrize("text", ["1600년 영산포", "영산포 2999년", "197년대 장날"])
def test_a_date_that_cannot_be_read_is_reported(collection: Runtime, text: str) -> None:
    result = run(collection, SearchRequest(text))
    assert result.understood.era is None
    assert any("시기로 읽지 못해" in note for note in result.understood.notes), result.understood


def test_a_readable_date_gives_no_such_note(collection: Runtime) -> None:
    result = run(collection, SearchRequest("70년대 영산포 장날"))
    assert not any("시기로" in note for note in result.understood.notes)


def test_facets_and_highlight(collection: Runtime) -> None:
    result = run(collection, SearchRequest("졸업")).as_json()
    assert result["facets"]["decades"] == {"1960s": 1, "1970s": 2, "1980s": 1}
    assert result["facets"]["places"]["금성관"] == 1
    assert any("<mark>졸업</mark>" in hit["highlight"] for hit in result["hits"])


@pytest.mark.parametrize(
    ("typed", "meant", "first"),
    [
        ("남펑 물놀이", "남평 물놀이", "03"),
        ("나룻베", "나룻배", "12"),
        ("흥수", "홍수", "27"),
        ("뱃사궁", "뱃사공", "12"),
        ("운동휘", "운동회", "17"),
        ("은행나무를 심은 목사내야", "은행나무를 심은 목사내아", "26"),
    ],
)
def test_a_misspelt_query_is_searched_as_the_nearest_words(
    collection: Runtime, typed: str, meant: str, first: str
) -> None:
    result = run(collection, SearchRequest(typed))
    assert result.corrected_from == typed and result.suggestion == meant
    assert result.hits and result.hits[0]["identifier"] == f"NJ-{first}"
    assert "고쳐 찾았습니다" in result.understood.notes[-1]


def test_a_misspelt_word_beside_a_good_one_is_suggested_not_forced(collection: Runtime) -> None:
    result = run(collection, SearchRequest("장날 나룻베"))
    assert result.total and result.corrected_from is None  # the fallback found 장날
    assert result.suggestion == "장날 나룻배"


def test_words_the_index_holds_get_no_suggestion(collection: Runtime) -> None:
    for text in ("영산포에서", "모내기하는", "기차 농사", "존재하지않는낱말"):
        assert run(collection, SearchRequest(text)).suggestion is None, text


def test_an_empty_result_offers_what_would_work(collection: Runtime) -> None:
    result = run(collection, SearchRequest("1990년대 나룻배"))
    assert result.total == 0
    offered = {r.label: r for r in result.relaxations}
    assert offered["시기 없이"].count == 2 and offered["시기 없이"].era is None
    assert "1980년대" not in offered  # neighbours are offered only when they find something
    assert all(r.count > 0 for r in result.relaxations)
    placed = run(collection, SearchRequest("다시면 나룻배"))
    assert placed.total == 0
    assert {r.label: r.count for r in placed.relaxations}["장소 없이"] == 2
    beside = run(collection, SearchRequest("나룻배", era="1970년대"))
    assert {r.label: r.count for r in beside.relaxations} == {"시기 없이": 2, "1960년대": 1}


def test_an_empty_result_offers_the_query_without_its_rarest_word(collection: Runtime) -> None:
    result = run(collection, SearchRequest("기차 나룻배", era="1960년대"))
    labels = {r.label: r for r in result.relaxations}
    if result.total == 0:
        assert labels["'나룻배' 빼고"].count == 1 and labels["'나룻배' 빼고"].text == "기차"


def test_the_pass_searches_with_its_databases_backend(collection: Runtime) -> None:
    """The PostgreSQL pass runs this set with the PostgreSQL backend, the other with Whoosh."""
    expected = (
        "postgres" if collection.settings.sqlalchemy_url.startswith("postgresql") else "whoosh"
    )
    assert collection.search.backend.name == expected
    assert (BACKEND == "postgres") == (expected == "postgres")
