"""The other ways dates are written on old prints and by older people, read as plain forms.

`rewrite()` turns a date as written into the forms `archive.dates` parses: Korean
numerals (천구백육십팔년, 육십년대), the Dangi calendar (단기 4293년 = 1960), abbreviated
years ('68년, 68년도, 71. 8. 15), and holidays and school terms as seasons (추석 → 가을,
여름방학 → 여름). `named_period()` reads a named period from an editable table (6·25 전쟁,
새마을운동 시절, 금성시 때). The leaf has no project imports but archive.text.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from archive.text import decode_text_file

DANGI_OFFSET = 2333  # 단기 4293년 is 1960
PERIODS_FILE = Path(__file__).with_name("periods.csv")
_DIGITS = {"영": 0, "공": 0, "일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "륙": 6,
           "칠": 7, "팔": 8, "구": 9}  # fmt: skip
_UNITS = {"십": 10, "백": 100, "천": 1000}
_NUMERAL = re.compile(r"[영공일이삼사오육륙칠팔구십백천]{2,}(?=\s*년)")
_HOLIDAYS = {
    "추석": "가을", "한가위": "가을", "가을 운동회": "가을", "운동회": "가을", "가을 소풍": "가을",
    "가을소풍": "가을", "설날": "겨울", "구정": "겨울", "설": "겨울", "정월 대보름": "겨울",
    "대보름": "겨울", "성탄절": "겨울", "크리스마스": "겨울", "겨울방학": "겨울",
    "겨울 방학": "겨울", "단오": "여름", "여름방학": "여름", "여름 방학": "여름", "봄소풍": "봄",
    "봄 소풍": "봄", "어린이날": "봄", "식목일": "봄", "봄방학": "봄",
}  # fmt: skip
_HOLIDAY = re.compile(
    r"(?<=\d년 )(" + "|".join(sorted(map(re.escape, _HOLIDAYS), key=len, reverse=True)) + r")"
)
# Words after a date that make it approximate ("때", "무렵") or say nothing more ("당시").
SUFFIXES = re.compile(r"\s*(?:쯤|께|무렵|즈음|경|때|당시|시절|전후|직후|정도)$")
_DOTS = re.compile(r"[·ㆍ.•‧・]")


def korean_number(word: str) -> int | None:
    """Return the value of a Sino-Korean numeral (천구백육십팔 → 1968), or None."""
    total, digit = 0, None
    for char in word:
        if char in _DIGITS:
            if digit is not None:
                return None  # two digits in a row: not a numeral (나 "이삼")
            digit = _DIGITS[char]
        else:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
    return total + (digit or 0)


def _numerals(text: str) -> str:
    def value(match: re.Match[str]) -> str:
        number = korean_number(match.group(0))
        return str(number) if number is not None and number >= 10 else match.group(0)

    return _NUMERAL.sub(value, text)


def rewrite(text: str) -> str:
    """Return normalised date text in the plain forms the parser reads."""
    text = _numerals(text)
    text = re.sub(r"단기\s*(\d{4})", lambda m: str(int(m.group(1)) - DANGI_OFFSET), text)
    text = re.sub(r"['’‘](\d{2})(?!\d)", r"\1", text)
    text = re.sub(r"년도", "년", text)
    text = re.sub(r"^(\d{2})(\s*[./]\s*\d{1,2}(?:\s*[./]\s*\d{1,2})?\s*\.?)$", r"19\1\2", text)
    text = re.sub(r"^(\d{2})(\s*년\s*\d{1,2}\s*월)", r"19\1\2", text)
    return _HOLIDAY.sub(lambda m: _HOLIDAYS[m.group(1)], text)


@dataclass(frozen=True)
class Period:
    """A named stretch of years ("6·25 전쟁": 1950–1953)."""

    name: str
    start: int
    end: int
    # Also a subject people photographed (a movement, an event): searched as words too.
    subject: bool = False


def period_key(text: str) -> str:
    """Return the form names are compared in: no spaces, one kind of middle dot."""
    return _DOTS.sub("·", re.sub(r"\s+", "", text)).casefold()


def load_periods(data: bytes) -> dict[str, Period]:
    """Read a periods table (name, aliases separated by |, first and last year, and
    optionally whether it is also a subject, 예 or blank, and the row's source).

    :raises ValueError: naming the line, in Korean and English, when a row is unreadable.
    """
    text = decode_text_file(data)
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.startswith("#")]
    table: dict[str, Period] = {}
    rows = csv.DictReader(io.StringIO("\n".join(line for _n, line in lines)))
    for index, row in enumerate(rows, start=1):
        period = _period_row(row, lines[index][0])
        for name in [period.name, *(row.get("aliases") or "").split("|")]:
            if name.strip():
                table[period_key(name)] = period
    return table


def _period_row(row: dict[str, str | None], line: int) -> Period:
    def refuse(korean: str, english: str) -> ValueError:
        return ValueError(f"{line}번째 줄: {korean} / line {line}: {english}")

    name = (row.get("name") or "").strip()
    if not name:
        raise refuse("이름(name)이 비어 있습니다", "empty name")
    try:
        start, end = int(row.get("start") or ""), int(row.get("end") or "")
    except ValueError:
        raise refuse("시작·끝 해는 네 자리 숫자로 적어 주세요", "start, end: years") from None
    if not (1000 <= start <= 2999 and 1000 <= end <= 2999):
        raise refuse("해는 1000~2999 사이로 적어 주세요", "years out of range")
    if end < start:
        raise refuse("끝 해가 시작 해보다 앞설 수 없습니다", "end before start")
    subject = (row.get("subject") or "").strip().casefold() in _YES
    return Period(name, start, end, subject)


_YES = frozenset({"예", "네", "o", "y", "yes", "true", "1"})


_periods = load_periods(PERIODS_FILE.read_bytes())


def use_periods(path: Path) -> None:
    """Read named periods from another table (the ARCHIVE_PERIODS setting)."""
    use_period_table(path.read_bytes())


def use_period_table(data: bytes) -> None:
    """Date by the named periods of this table from now on (in this process)."""
    global _periods
    _periods = load_periods(data)


def find_period(text: str) -> tuple[int, int] | None:
    """Return the span of the longest period name inside free text, however spaced."""
    global _period_pattern
    if _period_pattern is None or _period_pattern[0] is not _periods:
        keys = sorted(_periods, key=len, reverse=True)
        alternatives = (r"\s*".join(_DOTS.pattern if ch == "·" else re.escape(ch) for ch in key)
                        for key in keys)  # fmt: skip
        _period_pattern = (_periods, re.compile("|".join(alternatives), re.IGNORECASE))
    match = _period_pattern[1].search(text)
    return match.span() if match else None


_period_pattern: tuple[dict[str, Period], re.Pattern[str]] | None = None


def named_period(text: str) -> tuple[Period, bool] | None:
    """Return the named period a text stands for, and whether it says "just after" it."""
    after = text.rstrip().endswith("직후")
    for candidate in (period_key(text), period_key(SUFFIXES.sub("", text))):
        for key in (candidate, candidate.removesuffix("시절"), candidate.removesuffix("때")):
            if key in _periods:
                return _periods[key], after and not key.endswith("직후")
    return None
