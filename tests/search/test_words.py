"""Words as words: a name never matches inside a longer word, a compound finds its parts
at real boundaries, Hanja reads as Hangul, and the lexicon tables are checked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from archive.config import load_settings
from archive.errors import ConfigError
from archive.places.gazetteer import load_gazetteer, squash
from archive.records.photos import create_photo
from archive.runtime import Runtime, build_runtime
from archive.search.analysis import analyzer_for
from archive.search.facets import place_tree
from archive.search.lexicon import load_words
from archive.search.query import SearchRequest, run_search

# (query, a record's text, whether the query must find it)
PROBES: list[tuple[str, str, bool]] = [
    # township names inside other words
    ("산포", "영산포 선창에 배가 들어오던 날", False),
    ("산포면", "영산포역 앞 거리", False),
    ("다시면", "다시마를 말리는 아낙들", False),
    ("다시면", "다시 찾은 고향 마을", False),
    ("공산면", "공산품을 파는 가게", False),
    ("노안면", "노안경을 쓴 할아버지", False),
    ("금남동", "광주 금남로 행진", False),
    ("봉황면", "봉황새를 그린 병풍", False),
    ("성북동", "서울 성북구에서 온 손님", False),
    ("금천면", "서울 금천구 공장", False),
    ("다도면", "다도해 섬으로 가는 배", False),
    ("영산동", "영산홍이 핀 화단", False),
    ("영산포", "영산강 둑에서 본 노을", False),
    ("영산강", "영산포 장터 구경", False),
    ("금성시", "금성사 텔레비전을 들여놓은 날", False),
    ("남평", "남평역 대합실", True),
    ("남평읍", "남평 장날 풍경", True),
    # landmarks: the place finds its parts, a part finds the landmark at a real boundary
    ("영산포", "영산포등대 아래", True),
    ("등대", "영산포등대 아래", True),
    ("선창", "영산포선창에 모인 사람들", True),
    ("향교", "나주향교 대성전", True),
    ("나주향교", "향교 앞 은행나무", True),
    ("읍성", "나주읍성 성벽", True),
    ("고분", "반남고분군 발굴 현장", True),
    ("혁신도시", "빛가람 혁신도시 공사", True),
    ("사무소", "세지면사무소 준공식", True),
    ("세지면", "세지면사무소 준공식", True),
    ("학교", "국민학교 졸업식", True),
    ("국민학교", "국민 학교 운동장", True),
    ("나주곰탕", "나주 곰탕 한 그릇", True),
    ("고분", "반남고분군", True),
    ("곰탕", "나주곰탕 집 앞", True),
    ("영산포", "나주곰탕 집 앞", False),
    ("홍어", "영산포홍어 거리", True),
    ("나주초", "나주여고 운동회", False),
    ("나주고", "나주고등학교 졸업식", True),
    ("나주고", "나주 고인돌 답사", False),
    # Hanja on old prints reads as Hangul, both ways
    ("羅州", "나주 장날", True),
    ("남평읍", "南平邑 장날", True),
    ("금성관", "金城館 앞 광장", True),
    ("영산포", "榮山浦 선창", True),
]


def _pairs() -> list[tuple[str, str]]:
    """Every gazetteer name and every other place's name it is part of."""
    names = {squash(n): p.name for p in load_gazetteer().places.values() for n in p.names}
    return [(a, b) for a in names for b in names if a != b and a in b and names[a] != names[b]]


PAIRS = _pairs()


@pytest.fixture(scope="module")
def probes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """One record per probe; per pair of names, one naming the longer name in its text
    and one placed there."""
    root = tmp_path_factory.mktemp("words")
    runtime = build_runtime(load_settings({}, data_dir=root / "var", scans_dir=root / "scans"))
    runtime.db.upgrade()
    records = [(f"W{n:03d}", text, "") for n, (_q, text, _f) in enumerate(PROBES)]
    for number, (_short, long) in enumerate(PAIRS):
        records += [(f"P{number:03d}t", f"{long} 이야기", ""), (f"P{number:03d}p", "기록", long)]
    with runtime.db.session() as session:
        for key, title, place in records:
            fields = {"identifier": key, "title": title, "place": place, "status": "published"}
            create_photo(session, fields, source="scan", gazetteer=runtime.gazetteer)
    runtime.search.rebuild(runtime.db)
    yield runtime
    runtime.close()


def _found(runtime: Runtime, query: str) -> list[str]:
    index = runtime.search
    request = SearchRequest(query, limit=200)
    result = run_search(index.view(), request, runtime.gazetteer, index.analyzer)
    return [hit["identifier"] for hit in result.hits]


@pytest.mark.parametrize(
    ("number", "probe"), list(enumerate(PROBES)), ids=[f"{q}~{t}" for q, t, _ in PROBES]
)  # fmt: skip
def test_a_word_matches_at_word_boundaries_only(
    probes: Runtime, number: int, probe: tuple[str, str, bool]
) -> None:
    query, text, expected = probe
    assert (f"W{number:03d}" in _found(probes, query)) is expected, (query, text)


@pytest.mark.parametrize(
    ("number", "pair"), list(enumerate(PAIRS)), ids=[f"{a}<{b}" for a, b in PAIRS]
)
def test_a_place_name_inside_another_matches_only_when_it_contains_that_place(
    probes: Runtime, number: int, pair: tuple[str, str]
) -> None:
    """산포 never finds 영산포; 영산포 finds what lies at 영산포 등대; 나주 finds 나주향교;
    영산포 finds 영산포역 as a word (a real boundary) in a record's text or place text."""
    gazetteer = load_gazetteer()
    inner, outer = gazetteer.lookup(pair[0]), gazetteer.lookup(pair[1])
    assert inner is not None and outer is not None
    found = set(_found(probes, pair[0]))
    if inner.name in gazetteer.ancestors(outer.name):
        assert f"P{number:03d}p" in found
        return
    analyzer = probes.search.analyzer
    short, long = analyzer.query_terms(pair[0]), analyzer.query_terms(pair[1])
    boundary = any(long[i : i + len(short)] == short for i in range(len(long)))
    for key in (f"P{number:03d}t", f"P{number:03d}p"):
        assert (key in found) is boundary, (key, short, long)


def test_hanja_is_read_with_the_initial_sound_rule() -> None:
    analyzer = analyzer_for(load_gazetteer())
    assert analyzer.terms("羅州郡 樂安") == analyzer.terms("나주군 낙안")
    assert analyzer.terms("榮山江") == ["영산강"]


def test_the_domain_dictionary_is_checked() -> None:
    with pytest.raises(ConfigError, match="line 2"):
        load_words("word,parts\n나주곰탕,나주+국밥\n".encode())
    with pytest.raises(ConfigError, match="line 3"):
        load_words("# 설명\nword,parts\n,나주\n".encode("cp949"))
    assert load_words("word,parts\n나주곰탕,나주+곰탕\n".encode("cp949")) == {
        "나주곰탕": ("나주", "곰탕")
    }


def test_an_unreadable_or_broken_table_stops_the_start_with_a_plain_message(
    tmp_path: Path,
) -> None:
    missing = str(tmp_path / "없는파일.csv")
    with pytest.raises(ConfigError, match="ARCHIVE_VARIANTS"):
        build_runtime(load_settings({}, variants=missing, data_dir=tmp_path, scans_dir=tmp_path))
    broken = tmp_path / "words.csv"
    broken.write_bytes("word,parts\n나주곰탕,나주+국밥\n".encode("cp949"))
    with pytest.raises(ConfigError, match="line 2"):
        build_runtime(load_settings({}, words=str(broken), data_dir=tmp_path, scans_dir=tmp_path))


def test_an_office_variants_table_is_used(tmp_path: Path) -> None:
    table = tmp_path / "variants.csv"
    table.write_bytes("words,kind\n금성관|객사,old-new\n".encode("cp949"))
    settings = load_settings({"ARCHIVE_VARIANTS": str(table)}, data_dir=tmp_path)
    analyzer = analyzer_for(load_gazetteer(), settings)
    assert analyzer.variants is not None
    clauses = analyzer.variants.clauses(analyzer.query_terms("객사"), analyzer)
    assert clauses[0].variants == (("금성관",),)


def test_place_facets_are_one_tree_with_the_historic_units_apart() -> None:
    gazetteer = load_gazetteer()
    counts = {"영산동": 5, "영산포": 4, "영산포 등대": 1, "영산포읍": 5, "나주군": 6, "금남동": 2,
              "금성관": 2, "나주읍": 2, "금성시": 7}  # fmt: skip
    tree = place_tree(counts, gazetteer)
    today = {node.name: node for node in tree["today"]}
    assert list(today) == ["영산동", "금남동"]  # most photos first
    port = today["영산동"].children[0]
    assert (port.name, port.count) == ("영산포", 4)
    assert [c.name for c in port.children] == ["영산포 등대"]
    assert [c.name for c in today["금남동"].children] == ["금성관"]
    assert [n.name for n in tree["historic"]] == ["금성시", "나주군", "영산포읍", "나주읍"]
    named = [n.name for n in tree["today"]] + [c.name for n in tree["today"] for c in n.children]
    assert len(named) == len(set(named))  # no place twice


def test_segment_files_are_read_in_place() -> None:
    from archive.search.whoosh.fixes import MemoryReader

    data = memoryview(b"first line\nsecond\nrest")
    reader = MemoryReader(data)
    assert reader.readline() == b"first line\n" and reader.tell() == 11
    assert reader.read(3) == b"sec" and reader.readline() == b"ond\n"
    buffer = bytearray(10)
    assert reader.readinto(buffer) == 4 and bytes(buffer[:4]) == b"rest"
    assert reader.read() == b"" and reader.seek(-4, 2) == 18 and reader.read() == b"rest"
    assert reader.seek(6) == 6 and reader.read(4) == b"line"
