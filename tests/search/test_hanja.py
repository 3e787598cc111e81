"""Hanja read as Hangul with the initial-sound rule of 한글 맞춤법 (제10-12항)."""

from __future__ import annotations

import pytest

from archive.search.hanja import hangul_reading, readings


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("羅州", "나주"),  # 라 → 나 at a word's start
        ("南平", "남평"),
        ("榮山浦", "영산포"),
        ("錦城館", "금성관"),
        ("羅州邑城 南固門", "나주읍성 남고문"),
        ("女子", "여자"),  # 녀 → 여
        ("歷史", "역사"),  # 력 → 역
        ("李", "이"),  # 리 → 이
        ("老人", "노인"),  # 로 → 노
        ("來日", "내일"),  # 래 → 내
        ("勞動", "노동"),
        ("東萊", "동래"),  # inside a word: unchanged
        ("羅列", "나열"),  # 렬 after a vowel → 열
        ("規律", "규율"),  # 률 after a vowel → 율
        ("先烈", "선열"),  # 렬 after ㄴ → 열
        ("法律", "법률"),  # after another final: unchanged
        ("그 羅州", "그 나주"),  # a space starts a word
        ("1970年 羅州驛", "1970년 나주역"),
    ],
)
def test_hanja_is_read_as_it_is_said(written: str, read: str) -> None:
    assert hangul_reading(written) == read


def test_the_table_is_whole_and_text_without_hanja_is_untouched() -> None:
    table = readings()
    assert len(table) > 27_000 and table["州"] == "주"
    assert all(len(hanja) == 1 and len(reading) == 1 for hanja, reading in table.items())
    assert hangul_reading("영산포 선창, 1975. (사진)") == "영산포 선창, 1975. (사진)"
