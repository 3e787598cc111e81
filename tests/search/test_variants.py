"""Every row of the variants table: each word finds the records of the others, after its own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from archive.config import load_settings
from archive.errors import ConfigError
from archive.records.photos import create_photo
from archive.runtime import Runtime, build_runtime
from archive.search.query import SearchRequest, run_search
from archive.search.understand import understand
from archive.search.variants import SPOKEN, VARIANTS_FILE, VariantGroup, load_variants

ROWS = load_variants(VARIANTS_FILE.read_bytes()).groups
GROUPS = [g for g in ROWS if g.kind != SPOKEN]  # the rest list words said in asking
SPOKEN_ROWS = [g for g in ROWS if g.kind == SPOKEN]


def _key(row: int, member: int) -> str:
    return f"V{row:03d}-{member}"


@pytest.fixture(scope="module")
def variants_index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """One record per word of the table, the word in a sentence of its own."""
    root = tmp_path_factory.mktemp("variants")
    runtime = build_runtime(load_settings({}, data_dir=root / "var", scans_dir=root / "scans"))
    runtime.db.upgrade()
    with runtime.db.session() as session:
        for row, group in enumerate(GROUPS + SPOKEN_ROWS):
            for member, word in enumerate(group.words):
                fields = {
                    "identifier": _key(row, member),
                    "title": f"{word} 이야기",
                    "description": f"그 시절 {word}에 얽힌 기억",
                    "status": "published",
                }
                create_photo(session, fields, source="scan", gazetteer=runtime.gazetteer)
    runtime.search.rebuild(runtime.db)
    yield runtime
    runtime.close()


def test_the_table_is_large_enough() -> None:
    assert len(GROUPS) >= 150
    assert {g.kind for g in GROUPS} >= {"renamed", "old-new", "kin", "abbr", "dialect"}


@pytest.mark.parametrize(
    ("row", "group"), list(enumerate(GROUPS)), ids=["|".join(g.words) for g in GROUPS]
)
def test_each_word_finds_its_variants_after_itself(
    variants_index: Runtime, row: int, group: VariantGroup
) -> None:
    index = variants_index.search
    for member, word in enumerate(group.words):
        result = run_search(
            index.view(), SearchRequest(word, limit=200), variants_index.gazetteer, index.analyzer
        )
        found = [hit["identifier"] for hit in result.hits]
        others = {_key(row, m) for m in range(len(group.words))} - {_key(row, member)}
        assert others <= set(found), (word, result.understood.clauses, found)
        assert found[0] == _key(row, member) or _exact_tie(found, row, member, group), (word, found)


@pytest.mark.parametrize("group", SPOKEN_ROWS, ids=["|".join(g.words) for g in SPOKEN_ROWS])
def test_words_said_in_asking_are_never_required_nor_stand_for_each_other(
    variants_index: Runtime, group: VariantGroup
) -> None:
    """A spoken row's words (fillers, requests, questions, dialect endings) are never
    required of a record, nor do they look for the row's other words."""
    index, gazetteer = variants_index.search, variants_index.gazetteer
    row = len(GROUPS) + SPOKEN_ROWS.index(group)
    terms = index.analyzer.query_terms
    for word in group.words:
        understood = understand(
            SearchRequest(f"{word} 영산포 장날 {word}"), gazetteer, index.analyzer
        )
        assert [c.exact for c in understood.required] == [("장날",)], (word, understood.clauses)
        assert not any(c.variants for c in understood.clauses), word
        result = run_search(
            index.view(), SearchRequest(f"{word} 이야기"), gazetteer, index.analyzer
        )
        if not terms(word):
            continue  # analysed away (있나요): nothing of it to rank by
        first = result.hits[0]["identifier"]  # the record with the word itself ranks first
        same = [m for m, w in enumerate(group.words) if terms(w) == terms(word)]
        assert first in {_key(row, m) for m in same}, (word, first)


def _exact_tie(found: list[str], row: int, member: int, group: VariantGroup) -> bool:
    """A word that another member contains whole (손자 in 손주딸? no: 형 in 형님) may share
    first place with it; its own record must still come before the rest."""
    return _key(row, member) in found[: len(group.words)]


def test_a_row_with_one_word_is_refused() -> None:
    with pytest.raises(ConfigError, match="line 2"):
        load_variants("words,kind\n국민학교,renamed\n".encode())


def test_the_table_may_be_cp949_with_comments() -> None:
    data = "# 설명\nwords,kind,note\n국민학교|초등학교,renamed,1996\n".encode("cp949")
    assert load_variants(data).groups[0].words == ("국민학교", "초등학교")
