"""The reference tables admins may edit in the browser: one registry entry per table.

Each table is CSV (UTF-8, or CP949 as Korean Excel writes it) with leading # comment
lines. The packaged file (or the file a setting names) is the starting point; an edited
copy is kept in the database (archive.tables.store) and wins while it exists.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archive.errors import ArchiveError, ConfigError
from archive.text import decode_text_file

if TYPE_CHECKING:
    from archive.config import Settings


@dataclass(frozen=True)
class TableSpec:
    """What one reference table is: its name, columns and how its content is checked."""

    name: str
    label: str
    columns: tuple[str, ...]
    column_labels: dict[str, str]
    # What the table is for and what a change sets going, for the admin's page.
    purpose: str
    effect: str
    default_file: Callable[[], Path]
    setting: Callable[[Settings], str]
    check: Callable[[bytes], object]
    # A change re-derives records' places or dates (not only how searches read).
    rederives: bool = False

    def file_bytes(self, settings: Settings) -> bytes:
        """Return the file's content the settings name (the packaged one when empty).

        :raises ConfigError: when the file cannot be read.
        """
        configured = self.setting(settings).strip()
        path = Path(configured) if configured else self.default_file()
        try:
            return path.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{path}: 표를 읽을 수 없습니다 / cannot read it: {exc}") from exc


@dataclass
class Table:
    """A table's rows as text, with the comment lines before them kept."""

    preamble: list[str]
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)

    def text(self) -> str:
        """Return the table as CSV text (comments first, then the header and the rows)."""
        out = io.StringIO()
        for line in self.preamble:
            out.write(line + "\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.header)
        writer.writerows(self.rows)
        return out.getvalue()

    def records(self) -> list[dict[str, str]]:
        """Return each row as a dict of the header's columns."""
        width = len(self.header)
        return [dict(zip(self.header, row + [""] * width, strict=False)) for row in self.rows]


def read(data: bytes) -> Table:
    """Split CSV bytes into comment lines, header and rows (NFC, cells stripped).

    :raises ConfigError: when the bytes are neither UTF-8 nor CP949, or hold no header.
    """
    try:
        text = decode_text_file(data)
    except ArchiveError as exc:
        raise ConfigError(str(exc)) from exc
    text = unicodedata.normalize("NFC", text)
    preamble: list[str] = []
    lines = text.splitlines()
    while lines and (lines[0].lstrip().startswith("#") or not lines[0].strip()):
        line = lines.pop(0)
        if line.strip():
            preamble.append(line)
    body = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    parsed = list(csv.reader(io.StringIO("\n".join(body))))
    if not parsed:
        raise ConfigError("머리줄(열 이름)이 없습니다 / the table has no header row")
    header = [cell.strip() for cell in parsed[0]]
    return Table(preamble, header, [[cell.strip() for cell in row] for row in parsed[1:]])


def _gazetteer_file() -> Path:
    from archive.places.gazetteer import DEFAULT_PATH

    return DEFAULT_PATH


def _variants_file() -> Path:
    from archive.search.variants import VARIANTS_FILE

    return VARIANTS_FILE


def _periods_file() -> Path:
    from archive.date_forms import PERIODS_FILE

    return PERIODS_FILE


def _check_gazetteer(data: bytes) -> object:
    from archive.places.gazetteer import parse_gazetteer

    return parse_gazetteer(data)


def _check_variants(data: bytes) -> object:
    from archive.search.variants import load_variants

    return load_variants(data, "")


def _check_periods(data: bytes) -> object:
    from archive.date_forms import load_periods

    try:
        return load_periods(data)
    except (ValueError, ArchiveError) as exc:
        raise ConfigError(str(exc)) from exc


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            name="gazetteer",
            label="지명 사전",
            columns=("name", "key", "kind", "parent", "part_of", "aliases", "lat", "lon", "note"),
            column_labels={
                "name": "지명",
                "key": "영문 키 (비우면 자동, 한 번 정하면 그대로 두세요)",
                "kind": "종류 (시·읍·면·동·리·장소)",
                "parent": "오늘의 상위 지명",
                "part_of": "옛 소속 (| 로 나눔)",
                "aliases": "다른 이름 (| 로 나눔)",
                "lat": "위도",
                "lon": "경도",
                "note": "메모",
            },
            purpose="사진의 장소를 알아보고, 장소로 찾고 묶는 데 씁니다. 영문 키는 다른 "
            "기록관이 장소별로 수집할 때(OAI-PMH)와 오프라인 사본에서 쓰는 이름입니다.",
            effect="저장하면 모든 사진의 장소를 다시 읽고 검색 색인을 새로 만듭니다. "
            "사진이 많으면 몇 분 걸리고, 그동안 검색은 이전 사전으로 됩니다.",
            default_file=_gazetteer_file,
            setting=lambda s: s.gazetteer,
            check=_check_gazetteer,
            rederives=True,
        ),
        TableSpec(
            name="variants",
            label="비슷한 말 표",
            columns=("words", "kind", "note"),
            column_labels={
                "words": "같은 뜻의 말 (| 로 나눔)",
                "kind": "종류 (renamed, old-new, kin, abbr, dialect, spelling)",
                "note": "메모",
            },
            purpose="한 말로 찾으면 같은 뜻의 다른 말이 적힌 사진도 찾아 줍니다 "
            "(국민학교 → 초등학교).",
            effect="저장하면 곧바로 검색에 쓰입니다. 색인은 다시 만들지 않습니다.",
            default_file=_variants_file,
            setting=lambda s: s.variants,
            check=_check_variants,
        ),
        TableSpec(
            name="periods",
            label="시대 이름 표",
            columns=("name", "aliases", "start", "end"),
            column_labels={
                "name": "시대 이름",
                "aliases": "다른 이름 (| 로 나눔)",
                "start": "시작 해",
                "end": "끝 해",
                "subject": "사진의 주제이기도 함 (예)",
                "source": "출처",
            },
            purpose="'6·25 때', '새마을운동 시절'처럼 적힌 때를 해로 읽는 데 씁니다.",
            effect="저장하면 모든 사진의 때를 다시 읽고, 달라진 사진의 색인을 고칩니다.",
            default_file=_periods_file,
            setting=lambda s: s.periods,
            check=_check_periods,
            rederives=True,
        ),
    )
}
