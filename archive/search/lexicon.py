"""The words the Korean analyser is told about: place names and a domain dictionary.

kiwipiepy segments ordinary compounds well (졸업사진 → 졸업 + 사진) but knows neither
Naju's places nor the lexicalised compounds of old captions (국민학교, 나주곰탕). The
lexicon says which words stay whole (a township's name is never cut into syllables,
so 산포 does not find 영산포) and which split at a real boundary (나주향교 → 나주 +
향교, so 향교 finds it). Index text and queries are analysed with the same lexicon.
"""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ConfigError
from archive.text import decode_text_file

if TYPE_CHECKING:
    from archive.places.gazetteer import Gazetteer

WORDS_FILE = Path(__file__).with_name("words.csv")
# What a place name may end in without that ending being a word of its own.
ADMIN_ENDINGS = frozenset({"시", "군", "읍", "면", "동", "리", "읍내", "면내", "내", "구"})


@dataclass(frozen=True)
class Lexicon:
    """Words kept whole and compounds split into their parts (all without spaces, NFC)."""

    whole: frozenset[str] = frozenset()
    splits: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def digest(self) -> str:
        """Return a short hash of the lexicon: a change re-analyses the index."""
        text = "\n".join(sorted(self.whole)) + "\n" + repr(sorted(self.splits.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def read_table(data: bytes, name: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) of a CSV table staff edit: UTF-8 or CP949, # comments.

    :raises ConfigError: when the bytes are neither encoding.
    """
    try:
        text = decode_text_file(data)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}") from exc
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not _comment(line)]
    if not lines:
        return
    numbers = [n for n, _line in lines]
    rows = csv.DictReader(io.StringIO("\n".join(line for _n, line in lines)))
    for index, row in enumerate(rows, start=1):
        yield numbers[index], {k: unicodedata.normalize("NFC", (v or "").strip())
                               for k, v in row.items() if k}  # fmt: skip


def _comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def load_words(data: bytes, name: str = "words.csv") -> dict[str, tuple[str, ...]]:
    """Read the domain dictionary: word, and its parts separated by + (empty: whole).

    :raises ConfigError: when a row has no word or its parts do not spell it.
    """
    words: dict[str, tuple[str, ...]] = {}
    for line, row in read_table(data, name):
        word = row.get("word", "").replace(" ", "")
        parts = tuple(p for p in row.get("parts", "").replace(" ", "").split("+") if p)
        if not word:
            raise ConfigError(f"{name} line {line}: 낱말이 비어 있습니다 / empty word")
        if parts and "".join(parts) != word:
            raise ConfigError(
                f"{name} line {line}: {'+'.join(parts)}은(는) {word}이(가) 아닙니다 / "
                "the parts must spell the word"
            )
        words[word] = parts
    return words


def build_lexicon(gazetteer: Gazetteer, words: dict[str, tuple[str, ...]]) -> Lexicon:
    """Return the lexicon of the gazetteer's names and the domain dictionary."""
    names = {squashed for place in gazetteer.places.values() for squashed in _squashed(place.names)}
    whole: set[str] = set()
    splits: dict[str, tuple[str, ...]] = {}
    for place in gazetteer.places.values():
        for name in place.names:
            parts = _name_parts(name, names)
            if len(parts) == 1:
                whole.add(parts[0])
            else:
                splits[name.replace(" ", "")] = parts
    for place in gazetteer.places.values():
        if place.kind in ("읍", "면", "동"):  # 세지면사무소 → 세지면 + 사무소
            for office in ("사무소", "행정복지센터", "주민센터"):
                splits.setdefault(place.name + office, (place.name, office))
    for word, parts in words.items():
        if parts:
            splits[word] = parts
        else:
            whole.add(word)
    splits = {word: _resolve(parts, splits) for word, parts in splits.items()}
    for parts in splits.values():
        whole.update(p for p in parts if p in names)
    return Lexicon(frozenset(whole), splits)


def _resolve(parts: tuple[str, ...], splits: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Return parts with those that split further replaced by their own parts."""
    resolved: list[str] = []
    for part in parts:
        inner = splits.get(part)
        resolved.extend(_resolve(inner, splits) if inner and inner != (part,) else (part,))
    return tuple(resolved)


def _squashed(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        yield unicodedata.normalize("NFC", name).replace(" ", "")


def _name_parts(name: str, names: set[str]) -> tuple[str, ...]:
    """Split a place name at real boundaries: its spaces, and after a shorter place name
    it starts with when what follows is a word (나주향교 → 나주 + 향교), never before an
    administrative ending (남평읍 stays whole)."""
    parts: list[str] = []
    for piece in unicodedata.normalize("NFC", name).split():
        parts.extend(_split_piece(piece, names))
    return tuple(parts)


def _split_piece(piece: str, names: set[str]) -> list[str]:
    for cut in range(2, len(piece)):
        head, rest = piece[:cut], piece[cut:]
        if head in names and rest and rest not in ADMIN_ENDINGS:
            return [head, *_split_piece(rest, names)]
    return [piece]
