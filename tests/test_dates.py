"""Fuzzy dates: the forms in DESIGN.md, and properties that hold for any input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.dates import extract_date, parse_date

EXAMPLES = [
    ("1975", 1975, 1975, "year", "1975"),
    ("1975년", 1975, 1975, "year", "1975"),
    ("1975. 3. 2.", 1975, 1975, "day", "1975-03-02"),
    ("1975년 3월 2일", 1975, 1975, "day", "1975-03-02"),
    ("1975-03-02", 1975, 1975, "day", "1975-03-02"),
    ("1975년 3월", 1975, 1975, "month", "1975-03"),
    ("1975.3", 1975, 1975, "month", "1975-03"),
    ("1975년 봄", 1975, 1975, "season", "1975-21"),
    ("1970년대", 1970, 1979, "decade", "197X"),
    ("70년대", 1970, 1979, "decade", "197X"),
    ("1970 년대", 1970, 1979, "decade", "197X"),
    ("1970s", 1970, 1979, "decade", "197X"),
    ("197X", 1970, 1979, "decade", "197X"),
    ("19XX", 1900, 1999, "century", "19XX"),
    ("1970년대 초", 1970, 1973, "part_decade", "1970/1973"),
    ("1970년대 초반", 1970, 1973, "part_decade", "1970/1973"),
    ("1970년대 중반", 1974, 1976, "part_decade", "1974/1976"),
    ("1970년대 후반", 1977, 1979, "part_decade", "1977/1979"),
    ("1970년대 말", 1977, 1979, "part_decade", "1977/1979"),
    ("early 1970s", 1970, 1973, "part_decade", "1970/1973"),
    ("1965년경", 1963, 1967, "circa", "1965~"),
    ("1965년 무렵", 1963, 1967, "circa", "1965~"),
    ("1965년쯤", 1963, 1967, "circa", "1965~"),
    ("약 1965년", 1963, 1967, "circa", "1965~"),
    ("c. 1965", 1963, 1967, "circa", "1965~"),
    ("65년경", 1963, 1967, "circa", "1965~"),
    ("1960~1970", 1960, 1970, "range", "1960/1970"),
    ("1966-1969", 1966, 1969, "range", "1966/1969"),
    ("1966-69", 1966, 1969, "range", "1966/1969"),
    ("1960-70년대", 1960, 1979, "range", "196X/197X"),
    ("1950년대 후반~1960년대 초", 1957, 1963, "range", "1957/1963"),
    ("1960년대~1970년대", 1960, 1979, "range", "196X/197X"),
    ("20세기", 1900, 1999, "century", "19XX"),
    ("１９７５년", 1975, 1975, "year", "1975"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "edtf"), EXAMPLES)
def test_documented_forms(text: str, start: int, end: int, precision: str, edtf: str) -> None:
    parsed = parse_date(text)
    assert (parsed.start, parsed.end, parsed.precision, parsed.edtf) == (
        start,
        end,
        precision,
        edtf,
    )
    assert parsed.text == text


@pytest.mark.parametrize(
    "text", ["", "모름", "옛날", "2999", "1975. 13. 40.", "추석 무렵", "1600년"]
)
def test_unparseable_is_kept_and_flagged(text: str) -> None:
    parsed = parse_date(text)
    assert not parsed.ok and parsed.precision == "unknown" and parsed.text == text
    assert parsed.decades() == []


def test_overlap_puts_a_range_in_both_decades() -> None:
    parsed = parse_date("1968~1972")
    assert parsed.decades() == [1960, 1970]
    assert parsed.overlaps(1960, 1969) and parsed.overlaps(1970, 1979)
    assert not parsed.overlaps(1980, 1989)


years = st.integers(min_value=1850, max_value=2020)


@given(years)
def test_any_year_parses_to_itself(year: int) -> None:
    for text in (str(year), f"{year}년", f"{year}."):
        parsed = parse_date(text)
        assert (parsed.start, parsed.end) == (year, year), text


@given(years)
def test_circa_contains_the_year(year: int) -> None:
    parsed = parse_date(f"{year}년경")
    assert parsed.start is not None and parsed.end is not None
    assert parsed.start < year < parsed.end


@given(st.integers(min_value=185, max_value=201))
def test_decade_spans_ten_years(prefix: int) -> None:
    decade = prefix * 10
    for text in (f"{decade}년대", f"{decade}s", f"{prefix}X"):
        parsed = parse_date(text)
        assert (parsed.start, parsed.end) == (decade, decade + 9), text


@given(years, years)
def test_range_covers_both_ends(first: int, second: int) -> None:
    low, high = sorted((first, second))
    parsed = parse_date(f"{low}~{high}")
    assert (parsed.start, parsed.end) == (low, high)
    assert parsed.decades()[0] == low // 10 * 10 and parsed.decades()[-1] == high // 10 * 10


@given(st.text(max_size=40))
def test_any_text_is_kept_never_raises(text: str) -> None:
    parsed = parse_date(text)
    assert parsed.text == text
    if parsed.ok:
        assert parsed.start is not None and parsed.end is not None
        assert parsed.start <= parsed.end and parsed.edtf


def test_extract_era_from_query_text() -> None:
    era, rest = extract_date("70년대 영산포 장날")
    assert era is not None and (era.start, era.end) == (1970, 1979) and rest == "영산포 장날"
    era, rest = extract_date("남평 물놀이 1965년경")
    assert era is not None and era.precision == "circa" and rest == "남평 물놀이"
    assert extract_date("졸업 사진") == (None, "졸업 사진")
