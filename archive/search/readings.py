"""Last-resort readings of a query that found nothing, each with a note saying how it was
read: Latin letters as Naju's places in romanization (Revised, or the older spellings
people learnt) and English words for kinds of places; Korean typed with the keyboard in
English mode ("skwn" for 나주); initial consonants alone ("ㄴㅈ" for 나주).

The English words are the rows of kind "english" of the variants table (editable, each
with its source); the romanized names are derived from the gazetteer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from hangul_jamo import compose, decompose

from archive.places.gazetteer import Gazetteer
from archive.places.romanize import UNIT_SUFFIXES, romanize

ENGLISH = "english"  # the kind of variants rows that give a Korean word's English ones
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f'’]+")
# The two-set (두벌식) keyboard: what each key types in Korean mode.
_KEYS = dict(
    zip(
        "qwertyuiopasdfghjklzxcvbnm",
        "ㅂㅈㄷㄱㅅㅛㅕㅑㅐㅔㅁㄴㅇㄹㅎㅗㅓㅏㅣㅋㅌㅊㅍㅠㅜㅡ",
        strict=True,
    )
)
_SHIFTED = {"Q": "ㅃ", "W": "ㅉ", "E": "ㄸ", "R": "ㄲ", "T": "ㅆ", "O": "ㅒ", "P": "ㅖ"}
_VOWEL_PAIRS = {
    "ㅗㅏ": "ㅘ",
    "ㅗㅐ": "ㅙ",
    "ㅗㅣ": "ㅚ",
    "ㅜㅓ": "ㅝ",
    "ㅜㅔ": "ㅞ",
    "ㅜㅣ": "ㅟ",
    "ㅡㅣ": "ㅢ",
}
_FINAL_PAIRS = {"ㄱㅅ": "ㄳ", "ㄴㅈ": "ㄵ", "ㄴㅎ": "ㄶ", "ㄹㄱ": "ㄺ", "ㄹㅁ": "ㄻ", "ㄹㅂ": "ㄼ",
                "ㄹㅅ": "ㄽ", "ㄹㅌ": "ㄾ", "ㄹㅍ": "ㄿ", "ㄹㅎ": "ㅀ", "ㅂㅅ": "ㅄ"}  # fmt: skip
_VOWELS = frozenset("ㅏㅐㅑㅒㅓㅔㅕㅖㅗㅘㅙㅚㅛㅜㅝㅞㅟㅠㅡㅢㅣ")
_CONSONANTS = re.compile(r"[ㄱ-ㅎ]+")
_INITIALS = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"


@dataclass(frozen=True)
class Reading:
    """A query read another way, and what the visitor is told."""

    text: str
    note: str


def last_resort(
    text: str, gazetteer: Gazetteer, english: Iterable[tuple[str, ...]]
) -> list[Reading]:
    """Return the readings to try, in order, for a query that found nothing."""
    found = [_romanized(text, gazetteer, english), _keyboard(text), _initials(text, gazetteer)]
    return [reading for reading in found if reading is not None and reading.text != text]


def _romanized(
    text: str, gazetteer: Gazetteer, english: Iterable[tuple[str, ...]]
) -> Reading | None:
    """Read Latin words as romanized Naju places and English words for kinds of places
    (a place before a kind is one name: "Naju station" is 나주역)."""
    if not _LATIN.search(text):
        return None
    names = _romanized_names(gazetteer)
    words = {_loose(w): group[0] for group in english for w in group[1:]}
    parts: list[str] = []
    for token in text.split():
        kind = words.get(_loose(token))
        korean = names.get(_loose(token)) or kind
        if kind is not None and parts and gazetteer.lookup(parts[-1] + kind) is not None:
            parts[-1] += kind  # a place and its kind that name a place: 나주 + 역
        else:
            parts.append(korean or token)
    read = " ".join(parts)
    if read == " ".join(text.split()):
        return None
    note = f"로마자 '{text}'을(를) '{read}'(으)로 읽어 찾았습니다 / read {text!r} as {read!r}"
    return Reading(read, note)


def _romanized_names(gazetteer: Gazetteer) -> dict[str, str]:
    """Return each place name's romanization, loosely spelt, and a unit's name also
    without its unit (naju for 나주시): the name it stands for."""
    found: dict[str, str] = {}
    for name in gazetteer.all_names():
        if not re.fullmatch(r"[가-힣 ]+", name):
            continue
        found.setdefault(_loose(romanize(name)), name)
        if len(name) > 2 and name.endswith(UNIT_SUFFIXES):
            found.setdefault(_loose(romanize(name[:-1])), name[:-1])
    return found


def _loose(word: str) -> str:
    """Return a romanized word as the Revised Romanization and the older spellings all
    write it (Yŏngsanp'o, Yongsanpo, Yeongsanpo: yongsanbo)."""
    plain = unicodedata.normalize("NFD", word.casefold())
    plain = "".join(ch for ch in plain if "a" <= ch <= "z")
    for old, new in (("eo", "o"), ("eu", "u"), ("oo", "u"), ("ch", "j"), ("sh", "s")):
        plain = plain.replace(old, new)
    return plain.translate(str.maketrans("kptl", "gbdr"))


def _keyboard(text: str) -> Reading | None:
    """Read Latin letters as Korean typed with the keyboard in English mode, when every
    word makes whole syllables."""
    if re.search(r"[가-힣ㄱ-ㅣ]", text) or not _LATIN.search(text):
        return None
    words = [_typed(word) for word in text.split()]
    if not all(words):
        return None
    read = " ".join(w for w in words if w)
    note = f"영문 자판으로 친 '{text}'을(를) '{read}'(으)로 읽어 찾았습니다 / read as Korean keys"
    return Reading(read, note)


def _typed(word: str) -> str | None:
    """Return the syllables a word's keys type in Korean mode, None if they make none."""
    if not word.isascii() or not word.isalpha():
        return None
    jamo = "".join(_SHIFTED.get(ch) or _KEYS[ch.lower()] for ch in word)
    for pair, vowel in _VOWEL_PAIRS.items():
        jamo = jamo.replace(pair, vowel)
    for pair, final in _FINAL_PAIRS.items():  # two consonants end a syllable before one
        jamo = re.sub(f"(?<=[{''.join(_VOWELS)}]){pair}(?![{''.join(_VOWELS)}])", final, jamo)
    syllables = compose(jamo)
    return syllables if re.fullmatch(r"[가-힣]+", syllables) else None


def _initials(text: str, gazetteer: Gazetteer) -> Reading | None:
    """Read initial consonants alone as the place whose syllables begin with them."""
    typed = "".join(text.split())
    if len(typed) < 2 or not _CONSONANTS.fullmatch(typed):
        return None
    for name in sorted(gazetteer.all_names(), key=len):
        if "".join(_initial(ch) for ch in name.replace(" ", "")) == typed:
            note = f"첫소리 '{typed}'을(를) '{name}'(으)로 읽어 찾았습니다 / read as {name!r}"
            return Reading(name, note)
    return None


def _initial(syllable: str) -> str:
    return decompose(syllable)[0] if "가" <= syllable <= "힣" else syllable
