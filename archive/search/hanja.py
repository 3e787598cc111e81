"""Read Hanja as Hangul (羅州 → 나주, 南平 → 남평), with the initial-sound rule (두음법칙).

The readings are a table kept in the project (hanja.tsv, with its licence beside it):
one reading per character, as the character is read inside a word. At the start of a
word the standard rules of Korean orthography (한글 맞춤법 제10-12항) change ㄴ and ㄹ:
  녀 뇨 뉴 니 → 여 요 유 이;  랴 려 례 료 류 리 → 야 여 예 요 유 이;
  라 래 로 뢰 루 르 → 나 내 노 뇌 누 느;
and inside a word 렬 and 률 after a vowel or ㄴ become 열 and 율 (羅列 → 나열).
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

FIRST_SYLLABLE, LAST_SYLLABLE = 0xAC00, 0xD7A3
# Onsets and vowels as Unicode orders them in composed syllables.
NIEUN, RIEUL, IEUNG = 2, 5, 11
_NIEUN_TO_IEUNG = {6, 12, 17, 20}  # ㅕ ㅛ ㅠ ㅣ
_RIEUL_TO_IEUNG = {2, 6, 7, 12, 17, 20}  # ㅑ ㅕ ㅖ ㅛ ㅠ ㅣ
_RIEUL_TO_NIEUN = {0, 1, 8, 11, 13, 18}  # ㅏ ㅐ ㅗ ㅚ ㅜ ㅡ
_YEOL_YUL = {(6, 8), (17, 8)}  # 렬, 률: (vowel, final ㄹ)


@cache
def readings() -> dict[str, str]:
    """Return the table: each Hanja character and its Hangul reading."""
    text = files("archive.search").joinpath("hanja.tsv").read_text("utf-8")
    table: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            hanja, reading = line.split("\t")
            table[hanja] = reading
    return table


def hangul_reading(text: str) -> str:
    """Return text with every Hanja read as Hangul, the initial-sound rule applied."""
    table = readings()
    out: list[str] = []
    previous = " "
    for character in text:
        reading = table.get(character)
        if reading is not None:
            reading = _sounded(previous, reading)
        out.append(reading or character)
        previous = out[-1]
    return "".join(out)


def _parts(syllable: str) -> tuple[int, int, int] | None:
    code = ord(syllable) - FIRST_SYLLABLE
    if not 0 <= code <= LAST_SYLLABLE - FIRST_SYLLABLE:
        return None
    return code // (21 * 28), code // 28 % 21, code % 28


def _syllable(onset: int, vowel: int, final: int) -> str:
    return chr(FIRST_SYLLABLE + (onset * 21 + vowel) * 28 + final)


def _sounded(previous: str, reading: str) -> str:
    """Return a reading as said after previous (a word's start when previous is not a
    letter or digit)."""
    parts = _parts(reading)
    if parts is None:
        return reading
    onset, vowel, final = parts
    if previous.isalnum():
        before = _parts(previous)
        after_vowel_or_nieun = before is not None and before[2] in (0, 4)  # none, or ㄴ
        if onset == RIEUL and (vowel, final) in _YEOL_YUL and after_vowel_or_nieun:
            return _syllable(IEUNG, vowel, final)
        return reading
    if onset == NIEUN and vowel in _NIEUN_TO_IEUNG:
        return _syllable(IEUNG, vowel, final)
    if onset == RIEUL and vowel in _RIEUL_TO_IEUNG:
        return _syllable(IEUNG, vowel, final)
    if onset == RIEUL and vowel in _RIEUL_TO_NIEUN:
        return _syllable(NIEUN, vowel, final)
    return reading
