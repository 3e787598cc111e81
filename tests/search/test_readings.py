"""Last-resort readings of a query that found nothing: romanized places and English words
for kinds of places, Korean typed in English mode, initial consonants (issue 33)."""

from __future__ import annotations

import pytest

from archive.places.gazetteer import load_gazetteer
from archive.search.readings import ENGLISH, last_resort
from archive.search.variants import VARIANTS_FILE, load_variants

GAZETTEER = load_gazetteer()
ENGLISH_ROWS = [
    g.words for g in load_variants(VARIANTS_FILE.read_bytes()).groups if g.kind == ENGLISH
]


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        # Revised Romanization, and the older spellings people learnt (McCune-Reischauer)
        ("Yeongsanpo", "영산포"),
        ("Yŏngsanp'o", "영산포"),
        ("yongsanpo", "영산포"),
        ("Geumseonggwan", "금성관"),
        ("Naju", "나주"),
        ("Najoo", "나주"),
        # a place and an English word for its kind that together name a place
        ("Naju station", "나주역"),
        # ... or that do not: the place, then the kind
        ("Nampyeong school", "남평 학교"),
        ("Yeongsanpo market", "영산포 시장"),
        # Korean typed with the keyboard left in English mode
        ("skwn", "나주"),
        ("dudtksvh", "영산포"),
        ("rmatjdrhks", "금성관"),
        ("skwndur wkdskf", "나주역 장날"),
        # initial consonants alone
        ("ㄴㅈ", "나주"),
        ("ㄱㅅㄱ", "금성관"),
        ("ㅇ ㅅ ㅍ", "영산포"),
    ],
)
def test_a_query_that_found_nothing_is_read_another_way(typed: str, read: str) -> None:
    readings = last_resort(typed, GAZETTEER, ENGLISH_ROWS)
    assert readings and readings[0].text == read
    assert readings[0].note.split(" / ")[0] and typed.strip()[:1] in readings[0].note


@pytest.mark.parametrize("typed", ["영산포 장날", "1970s", "", "ㅋㅋㅋ", "photo 123", "xqzv"])
def test_text_with_no_other_reading_has_none(typed: str) -> None:
    assert last_resort(typed, GAZETTEER, ENGLISH_ROWS) == []
