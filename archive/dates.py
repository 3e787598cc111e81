"""Fuzzy dates as people write them on old photos: year ranges, precision and EDTF."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from archive.date_forms import SUFFIXES, find_period, named_period, rewrite

MIN_YEAR = 1800
PRECISION_RANK = {
    "day": 0,
    "month": 1,
    "season": 2,
    "year": 3,
    "circa": 4,
    "part_decade": 5,
    "range": 6,
    "decade": 7,
    "century": 8,
    "unknown": 9,
}
PARTS = {
    "초": (0, 3),
    "초반": (0, 3),
    "중": (4, 6),
    "중반": (4, 6),
    "후반": (7, 9),
    "말": (7, 9),
    "말경": (7, 9),
    "early": (0, 3),
    "mid": (4, 6),
    "late": (7, 9),
}
SEASONS = {
    "봄": 21,
    "여름": 22,
    "가을": 23,
    "겨울": 24,
    "spring": 21,
    "summer": 22,
    "autumn": 23,
    "fall": 23,
    "winter": 24,
}
CIRCA_SPAN = 2


@dataclass(frozen=True)
class FuzzyDate:
    """A date as written, with the year range it stands for."""

    text: str
    start: int | None
    end: int | None
    precision: str
    edtf: str | None

    @property
    def ok(self) -> bool:
        """Return whether the text was understood."""
        return self.start is not None

    @property
    def rank(self) -> int:
        """Return a sort key: lower means more precise."""
        return PRECISION_RANK[self.precision]

    def decades(self) -> list[int]:
        """Return every decade (1960, 1970, ...) the range overlaps."""
        return decades_between(self.start, self.end)

    def overlaps(self, start: int, end: int) -> bool:
        """Return whether the range overlaps [start, end]."""
        return (
            self.start is not None
            and self.end is not None
            and (self.start <= end and self.end >= start)
        )


def decades_between(start: int | None, end: int | None) -> list[int]:
    """Return every decade (1960, 1970, ...) the years start to end overlap (none for an
    undated record): the timeline, collections, sets and offline pages all count so."""
    if start is None or end is None:
        return []
    return list(range(start // 10 * 10, end // 10 * 10 + 1, 10))


def normalise(text: str) -> str:
    """Return NFKC text (full-width digits become ASCII), one range sign, single spaces."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[∼〜～–—]", "~", text)
    text = re.sub(r"\s*년\s*대", "년대", text)
    return re.sub(r"\s+", " ", text)


def _year(digits: str) -> int:
    """Return a year; two-digit years on old photos are read as 19xx."""
    return 1900 + int(digits) if len(digits) == 2 else int(digits)


def _valid(start: int, end: int) -> bool:
    return MIN_YEAR <= start <= end <= date.today().year


_DAY = re.compile(r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.\-/월]\s*(\d{1,2})\s*[.일]?")
_MONTH = re.compile(r"(\d{4})\s*[.\-/년]\s*(\d{1,2})\s*[.월]?")
_SEASON = re.compile(r"(\d{2,4})\s*년?\s*(봄|여름|가을|겨울|spring|summer|autumn|fall|winter)")
_DECADE = re.compile(
    r"(\d{1,3}0)\s*(?:년대|'?s)\s*(초반|초|중반|중|후반|말경|말)?(?:\s*경|\s*무렵)?"
)
_EN_PART = re.compile(r"(early|mid|late)[\s-]*(\d{3}0)'?s")
_DECADE_PAIR = re.compile(r"(\d{2,4})\s*[~\-]\s*(\d{2,4})\s*년대")
_CIRCA = re.compile(
    r"(?:c\.|ca\.|circa|약)\s*(\d{2,4})\s*년?|(\d{2,4})\s*년?\s*(?:경|무렵|쯤|께|전후|\?)"
)
_YEAR = re.compile(r"(\d{4}|\d{2})\s*년?\.?")
_MASK = re.compile(r"(\d{2})([\dx])x")
_CENTURY = re.compile(r"(\d{1,2})\s*세기\s*(초반|초|중반|중|후반|말)?")


def parse_date(text: str) -> FuzzyDate:
    """Parse a date as written; unparseable text is kept with precision 'unknown'.

    Read as written, then the hint in parentheses of free text ("국민학교 다닐 때(1960년대)").
    """
    clean = rewrite(normalise(text or ""))
    for candidate in (clean, *re.findall(r"\(([^()]+)\)", clean)):
        for parse in (_parse_single, _parse_range, _approximate, _period):
            result = parse(candidate.strip())
            if result is not None and _valid(result[0], result[1]):
                start, end, precision, edtf = result
                return FuzzyDate(text, start, end, precision, edtf)
    return FuzzyDate(text, None, None, "unknown", None)


Parsed = tuple[int, int, str, str]


_ROUGHLY = re.compile(r"(?:쯤|께|무렵|즈음|경|전후)$")


def _approximate(text: str) -> Parsed | None:
    """Read "1968년 가을쯤", "70년대 무렵", "여름방학 때": the date without its last word;
    a year becomes circa, anything broader keeps its own span."""
    base = SUFFIXES.sub("", text)
    if base == text or not base:
        return None
    result = _parse_single(base) or _parse_range(base)
    if result is not None and result[2] == "year":
        year = result[0]
        return year - CIRCA_SPAN, year + CIRCA_SPAN, "circa", f"{year}~"
    return result


def _period(text: str) -> Parsed | None:
    """Read a named period of the table ("6·25 전쟁 때", "새마을운동 시절", "해방 직후")."""
    found = named_period(text)
    if found is None:
        return None
    period, after = found
    if after:
        return period.end, period.end + CIRCA_SPAN, "circa", f"{period.end}~"
    if period.start == period.end and _ROUGHLY.search(text):
        year = period.start
        return year - CIRCA_SPAN, year + CIRCA_SPAN, "circa", f"{year}~"
    if period.start == period.end:
        return period.start, period.end, "year", f"{period.start:04}"
    return period.start, period.end, "range", f"{period.start}/{period.end}"


def _parse_single(text: str) -> Parsed | None:
    for parse in (
        _day,
        _month,
        _season,
        _decade_pair,
        _decade,
        _century,
        _mask,
        _circa,
        _year_only,
    ):
        result = parse(text)
        if result is not None:
            return result
    return None


def _full(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    return pattern.fullmatch(text)


def _day(text: str) -> Parsed | None:
    match = _full(_DAY, text)
    if not match:
        return None
    year, month, day = (int(g) for g in match.groups())
    try:
        date(year, month, day)
    except ValueError:
        return None
    return year, year, "day", f"{year:04}-{month:02}-{day:02}"


def _month(text: str) -> Parsed | None:
    match = _full(_MONTH, text)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if "-" in text and len(match.group(2)) == 2 and text.count("-") == 1 and month > 12:
        return None
    return year, year, "month", f"{year:04}-{month:02}"


def _season(text: str) -> Parsed | None:
    match = _full(_SEASON, text)
    if not match:
        return None
    year = _year(match.group(1))
    return year, year, "season", f"{year:04}-{SEASONS[match.group(2)]}"


def _decade_pair(text: str) -> Parsed | None:
    match = _full(_DECADE_PAIR, text)
    if not match:
        return None
    first = _year(match.group(1)) if len(match.group(1)) != 2 else 1900 + int(match.group(1))
    second = _year(match.group(2))
    if len(match.group(2)) == 2 and len(match.group(1)) == 4:
        second = first // 100 * 100 + int(match.group(2))
    if first % 10 or second % 10 or second < first:
        return None
    return first, second + 9, "range", f"{first // 10}X/{second // 10}X"


def _decade(text: str) -> Parsed | None:
    match = _full(_DECADE, text) or _full(_EN_PART, text)
    if not match:
        return None
    if match.re is _EN_PART:
        part, digits = match.group(1), match.group(2)
    else:
        digits, part = match.group(1), match.group(2)
    if len(digits) not in (2, 4):
        return None
    decade = _year(digits)
    if part:
        low, high = PARTS[part]
        return decade + low, decade + high, "part_decade", f"{decade + low}/{decade + high}"
    return decade, decade + 9, "decade", f"{decade // 10}X"


def _century(text: str) -> Parsed | None:
    match = _full(_CENTURY, text)
    if not match:
        return None
    first = (int(match.group(1)) - 1) * 100
    if match.group(2):
        low, high = {
            "초": (0, 32),
            "초반": (0, 32),
            "중": (33, 65),
            "중반": (33, 65),
            "후반": (66, 99),
            "말": (66, 99),
        }[match.group(2)]
        return first + low, first + high, "range", f"{first + low}/{first + high}"
    return first, first + 99, "century", f"{first // 100}XX"


def _mask(text: str) -> Parsed | None:
    match = _full(_MASK, text)
    if not match:
        return None
    if match.group(2) == "x":
        first = int(match.group(1)) * 100
        return first, first + 99, "century", f"{match.group(1)}XX"
    decade = int(match.group(1) + match.group(2)) * 10
    return decade, decade + 9, "decade", f"{decade // 10}X"


def _circa(text: str) -> Parsed | None:
    match = _full(_CIRCA, text)
    if not match:
        return None
    year = _year(match.group(1) or match.group(2))
    return year - CIRCA_SPAN, year + CIRCA_SPAN, "circa", f"{year}~"


def _year_only(text: str) -> Parsed | None:
    match = _full(_YEAR, text)
    if not match:
        return None
    year = _year(match.group(1))
    return year, year, "year", f"{year:04}"


def _parse_range(text: str) -> Parsed | None:
    parts = re.split(r"\s*(?:~|부터|\s-\s|-)\s*", text.removesuffix("까지").strip())
    if len(parts) != 2 or not all(parts):
        return None
    first, second = _parse_single(parts[0]), _parse_single(parts[1])
    if second is None and re.fullmatch(r"\d{2}", parts[1]) and first is not None:
        year = first[0] // 100 * 100 + int(parts[1])
        second = (year, year, "year", str(year))
    if first is None or second is None or second[1] < first[0]:
        return None
    edtf = (
        f"{first[3]}/{second[3]}"
        if "/" not in first[3] + second[3]
        else (f"{first[0]}/{second[1]}")
    )
    return first[0], second[1], "range", edtf


_CANDIDATE = re.compile(
    r"(?:(?:c\.|ca\.|circa|약|early|mid|late)\s*)?\d{1,4}"
    r"(?:[\d\s.\-/~xX?']|년대|년|월|일|세기|초반|초|중반|중|후반|말경|말|경|무렵|쯤|전후|부터|까지"
    r"|봄|여름|가을|겨울|s\b)*"
)


_AFTER_PERIOD = re.compile(r"\s*(?:때|시절|무렵|직후|즈음|쯤|전후|당시)")


@dataclass(frozen=True)
class When:
    """What a query says about when: the era, the text left to search, and the names of
    periods that are also subjects (searched as words as well, but not required)."""

    era: FuzzyDate | None
    rest: str
    subjects: tuple[str, ...] = ()


def read_when(text: str) -> When:
    """Read a named period and a date written in free text, together: a date inside the
    period narrows it ("70년대초 새마을운동": 1970-1973), one outside it is taken as
    written; a period that is also a subject people photographed stays in the text."""
    clean = rewrite(normalise(text))
    span = find_period(clean)
    if span is None:
        return When(*_date_in(clean))
    end = _AFTER_PERIOD.match(clean, span[1])
    stop = end.end() if end else span[1]
    phrase = clean[span[0] : stop]
    period_date, found = parse_date(phrase), named_period(phrase)
    if not period_date.ok or found is None:
        return When(*_date_in(clean))
    name = clean[span[0] : span[1]].strip()
    subject = found[0].subject
    # The rest is read for a date with the period held apart (the 25 of 6·25 is no year).
    date, rest = _date_in(_squash(clean[: span[0]] + f" {_HELD} " + clean[stop:]))
    era = period_date if date is None else _narrowed(period_date, date)
    rest = _squash(rest.replace(_HELD, name if subject else " "))
    return When(era, rest, (name,) if subject else ())


_HELD = "\ue000"  # a private-use character: no date form and no word reads it


def extract_date(text: str) -> tuple[FuzzyDate | None, str]:
    """Find a date phrase (or a named period) inside free text; return it and the text
    without it."""
    when = read_when(text)
    return when.era, when.rest


def _narrowed(period: FuzzyDate, date: FuzzyDate) -> FuzzyDate:
    """Return the years a period and a date share, or the date where they share none."""
    assert period.start is not None and period.end is not None
    assert date.start is not None and date.end is not None
    start, end = max(period.start, date.start), min(period.end, date.end)
    if start > end:
        return date
    text = f"{date.text} {period.text}"
    if (start, end) == (date.start, date.end):
        return FuzzyDate(text, start, end, date.precision, date.edtf)
    return FuzzyDate(text, start, end, "range", f"{start}/{end}")


def _date_in(clean: str) -> tuple[FuzzyDate | None, str]:
    """Find the first date phrase in normalised text; return it and the text without it."""
    for match in _CANDIDATE.finditer(clean):
        for end in range(match.end(), match.start(), -1):  # the longest phrase first
            phrase = clean[match.start() : end].strip()
            after = _ends_word(clean, end, phrase)
            if not phrase or after < 0:
                continue
            parsed = parse_date(phrase)
            if parsed.ok:
                return parsed, _squash(clean[: match.start()] + " " + clean[end + after :])
    return None, _squash(clean)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


# What may follow a date inside the same word: a particle, or 때 ("1977년경에", "70년대의",
# "1965년도", "60년대 때"). Anything else means the date's last syllable began a word of its
# own: the 경 of 경로잔치, the 초 of 초등학교, the 말 of 말타기.
_AFTER_DATE = frozenset(
    {"에", "에는", "에도", "에서", "의", "은", "는", "이", "가", "을", "를", "도", "로", "으로",
     "와", "과", "만", "부터", "까지", "쯤", "께", "즈음", "때", "엔", "이나", "나", "인가"}
)  # fmt: skip


def _ends_word(clean: str, end: int, phrase: str) -> int:
    """Return how many characters after end belong to the date phrase (a particle that
    ends its word), or -1 where it cannot end there: inside a number, or inside a word
    that goes on (a phrase ending in a unit, 년 or 년대, may end before any word)."""
    rest = clean[end:]
    if rest[:1].isdigit():
        return -1
    found = re.match(r"[가-힣]*", rest)
    word = found.group(0) if found else ""
    if not word:
        return 0
    if word in _AFTER_DATE:
        return len(word)
    return 0 if phrase.endswith(_UNITS) else -1


_UNITS = ("년", "년대", "월", "일", "세기")
