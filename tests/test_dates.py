"""Fuzzy dates: the forms in DESIGN.md, and properties that hold for any input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archive.dates import extract_date, parse_date, read_when

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


# Dates as written on old prints and by older people (issue 14): abbreviated years, Korean
# numerals, the Dangi calendar, holidays and school terms, approximate words, hints in
# parentheses and named periods.
WRITTEN = [
    ("'68년", 1968, 1968, "year", "1968"),
    ("’68년", 1968, 1968, "year", "1968"),
    ("68년도", 1968, 1968, "year", "1968"),
    ("1968년도", 1968, 1968, "year", "1968"),
    ("69년 가을", 1969, 1969, "season", "1969-23"),
    ("'69년 가을", 1969, 1969, "season", "1969-23"),
    ("69년도 봄", 1969, 1969, "season", "1969-21"),
    ("71. 8. 15", 1971, 1971, "day", "1971-08-15"),
    ("71.8.15.", 1971, 1971, "day", "1971-08-15"),
    ("71. 8", 1971, 1971, "month", "1971-08"),
    ("71/8/15", 1971, 1971, "day", "1971-08-15"),
    ("71년 8월 15일", 1971, 1971, "day", "1971-08-15"),
    ("71년 8월", 1971, 1971, "month", "1971-08"),
    ("육십년대", 1960, 1969, "decade", "196X"),
    ("칠십년대 초", 1970, 1973, "part_decade", "1970/1973"),
    ("팔십년대 후반", 1987, 1989, "part_decade", "1987/1989"),
    ("천구백육십팔년", 1968, 1968, "year", "1968"),
    ("천구백칠십년대", 1970, 1979, "decade", "197X"),
    ("팔십팔년", 1988, 1988, "year", "1988"),
    ("육십팔년 봄", 1968, 1968, "season", "1968-21"),
    ("천구백칠십오년 가을", 1975, 1975, "season", "1975-23"),
    ("이천이년", 2002, 2002, "year", "2002"),
    ("단기 4293년", 1960, 1960, "year", "1960"),
    ("단기4293년", 1960, 1960, "year", "1960"),
    ("단기 4293. 5. 1", 1960, 1960, "day", "1960-05-01"),
    ("단기 4288년 봄", 1955, 1955, "season", "1955-21"),
    ("1968년 추석", 1968, 1968, "season", "1968-23"),
    ("68년 추석 무렵", 1968, 1968, "season", "1968-23"),
    ("1970년 한가위", 1970, 1970, "season", "1970-23"),
    ("1970년 여름방학 때", 1970, 1970, "season", "1970-22"),
    ("72년 설날", 1972, 1972, "season", "1972-24"),
    ("1975년 운동회", 1975, 1975, "season", "1975-23"),
    ("1966년 봄소풍", 1966, 1966, "season", "1966-21"),
    ("1969년 겨울방학", 1969, 1969, "season", "1969-24"),
    ("1973년 단오", 1973, 1973, "season", "1973-22"),
    ("1968년쯤", 1966, 1970, "circa", "1968~"),
    ("68년께", 1966, 1970, "circa", "1968~"),
    ("68년 무렵", 1966, 1970, "circa", "1968~"),
    ("1968년 즈음", 1966, 1970, "circa", "1968~"),
    ("1968년 전후", 1966, 1970, "circa", "1968~"),
    ("70년대쯤", 1970, 1979, "decade", "197X"),
    ("60년대 무렵", 1960, 1969, "decade", "196X"),
    ("1968년 가을쯤", 1968, 1968, "season", "1968-23"),
    ("70년대 초반쯤", 1970, 1973, "part_decade", "1970/1973"),
    ("국민학교 다닐 때(1960년대)", 1960, 1969, "decade", "196X"),
    ("아버지 군대 가기 전 (1968)", 1968, 1968, "year", "1968"),
    ("결혼식 날 (72년 봄)", 1972, 1972, "season", "1972-21"),
    ("영산포 장날(70년대 초)", 1970, 1973, "part_decade", "1970/1973"),
    ("6·25 전쟁 때", 1950, 1953, "range", "1950/1953"),
    ("6.25 때", 1950, 1953, "range", "1950/1953"),
    ("육이오 때", 1950, 1953, "range", "1950/1953"),
    ("한국전쟁", 1950, 1953, "range", "1950/1953"),
    ("6·25 직후", 1953, 1955, "circa", "1953~"),
    ("새마을운동 시절", 1970, 1979, "range", "1970/1979"),
    ("새마을 사업 때", 1970, 1979, "range", "1970/1979"),
    ("88 올림픽 때", 1988, 1988, "year", "1988"),
    ("88올림픽", 1988, 1988, "year", "1988"),
    ("서울 올림픽 무렵", 1986, 1990, "circa", "1988~"),
    ("금성시 때", 1981, 1986, "range", "1981/1986"),
    ("금성시 시절", 1981, 1986, "range", "1981/1986"),
    ("일제강점기", 1910, 1945, "range", "1910/1945"),
    ("일제 때", 1910, 1945, "range", "1910/1945"),
    ("왜정 때", 1910, 1945, "range", "1910/1945"),
    ("해방 직후", 1945, 1947, "circa", "1945~"),
    ("해방되던 해", 1945, 1945, "year", "1945"),
    ("IMF 때", 1997, 1998, "range", "1997/1998"),
    ("2002 월드컵", 2002, 2002, "year", "2002"),
    ("유신 시절", 1972, 1979, "range", "1972/1979"),
    ("통금 시절", 1945, 1982, "range", "1945/1982"),
    ("4·19 때", 1960, 1960, "year", "1960"),
    ("영산포역 폐역", 2001, 2001, "year", "2001"),
    ("68-72년", 1968, 1972, "range", "1968/1972"),
    ("'68~'72", 1968, 1972, "range", "1968/1972"),
    ("68년~72년", 1968, 1972, "range", "1968/1972"),
]


@pytest.mark.parametrize(("text", "start", "end", "precision", "edtf"), WRITTEN)
def test_forms_written_on_old_prints(
    text: str, start: int, end: int, precision: str, edtf: str
) -> None:
    parsed = parse_date(text)
    assert (parsed.start, parsed.end, parsed.precision, parsed.edtf) == (
        start, end, precision, edtf,
    ), text  # fmt: skip
    assert parsed.text == text


def test_the_periods_table_can_be_replaced_in_cp949(tmp_path: Path) -> None:
    from archive import date_forms

    table = tmp_path / "periods.csv"
    table.write_bytes("name,aliases,start,end\n나주 대홍수,큰물 난 해,1989,1989\n".encode("cp949"))
    try:
        date_forms.use_periods(table)
        assert parse_date("큰물 난 해").start == 1989
        assert not parse_date("6·25 때").ok  # the packaged table is replaced, not extended
    finally:
        date_forms.use_periods(date_forms.PERIODS_FILE)
    assert parse_date("6·25 때").ok


def test_a_periods_table_that_cannot_be_read_stops_the_start(tmp_path: Path) -> None:
    from archive.config import load_settings
    from archive.errors import ConfigError
    from archive.runtime import build_runtime

    broken = tmp_path / "periods.csv"
    broken.write_text("이름,시작\n6·25,1950\n", "utf-8")
    with pytest.raises(ConfigError, match="ARCHIVE_PERIODS"):
        build_runtime(load_settings({}, data_dir=tmp_path / "var", periods=str(broken)))
    assert parse_date("6·25 때").ok  # the packaged table is still in use


@pytest.mark.parametrize(
    "text",
    [
        "",
        "모름",
        "옛날",
        "2999",
        "1975. 13. 40.",
        "추석 무렵",
        "1600년",
        "이 사진",
        "여름방학 때",
        "단기 9999년",
        "이삼년",
        "국민학교 다닐 때(기억 안 남)",
    ],
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


@pytest.mark.parametrize(
    ("text", "years", "precision", "rest"),
    [
        # 경 is circa only where it stands as the suffix (issue 33)
        ("1977년 경로잔치", (1977, 1977), "year", "경로잔치"),
        ("77년경로당", (1977, 1977), "year", "경로당"),
        ("1970년 경찰서 앞", (1970, 1970), "year", "경찰서 앞"),
        ("1977년경 잔치", (1975, 1979), "circa", "잔치"),
        ("1977년 경 잔치", (1975, 1979), "circa", "잔치"),
        ("1977년경에 찍은 사진", (1975, 1979), "circa", "찍은 사진"),
        # nor do 초, 중, 말 and 봄 begin a date's part when they begin a word
        ("1960년대 초등학교 운동회", (1960, 1969), "decade", "초등학교 운동회"),
        ("1960년대초등학교", (1960, 1969), "decade", "초등학교"),
        ("70년대 중학교", (1970, 1979), "decade", "중학교"),
        ("1968년 봄나들이", (1968, 1968), "year", "봄나들이"),
        ("1968년 봄 운동회", (1968, 1968), "season", "운동회"),
        ("60년대의 나주역", (1960, 1969), "decade", "나주역"),
        ("1965년도 졸업", (1965, 1965), "year", "졸업"),
    ],
)
def test_a_date_ends_where_its_word_ends(
    text: str, years: tuple[int, int], precision: str, rest: str
) -> None:
    era, left = extract_date(text)
    assert era is not None and (era.start, era.end) == years and era.precision == precision
    assert left == rest


def test_a_period_and_a_date_combine_and_a_subject_stays_a_word() -> None:
    """A date inside a named period narrows it; a period that is also a subject is kept
    in the words (a movement people photographed), an era alone is not."""
    when = read_when("70년대초 새마을운동")
    assert when.era is not None and (when.era.start, when.era.end) == (1970, 1973)
    assert when.rest == "새마을운동" and when.subjects == ("새마을운동",)
    when = read_when("일제강점기 1930년대 영산포")  # an era, not a subject
    assert when.era is not None and (when.era.start, when.era.end) == (1930, 1939)
    assert when.rest == "영산포" and when.subjects == ()
    when = read_when("6·25 때 피난 사진 1951년")  # the 25 of 6·25 is no year
    assert when.era is not None and (when.era.start, when.era.end) == (1951, 1951)
    assert when.rest == "6·25 피난 사진"
    when = read_when("88 올림픽 성화 봉송")
    assert when.era is not None and (when.era.start, when.era.end) == (1988, 1988)
    assert when.rest == "88 올림픽 성화 봉송"
    when = read_when("1960년대 새마을운동")  # no year in common: the date as written
    assert when.era is not None and (when.era.start, when.era.end) == (1960, 1969)
