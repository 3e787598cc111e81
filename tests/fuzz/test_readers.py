"""Fuzz the readers people feed: sidecars, sheets and dates never fail but with a reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from archive.dates import MIN_YEAR, extract_date, parse_date
from archive.errors import MetadataError
from archive.fields import BY_NAME, FieldError, clean_fields
from archive.ingest.sidecar import read_manifest, read_sidecar
from tests.fuzz.conftest import fuzz_settings

HEADERS = [
    "파일명",
    "file",
    "제목",
    "title",
    "촬영시기",
    "장소",
    "사연",
    "태그",
    "상태",
    "인물",
    "x",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=20), inner, max_size=5)
    ),
    max_leaves=30,
)
sidecar_objects = st.dictionaries(
    st.sampled_from([*BY_NAME, "파일명", "제목", "사연", "상태", "촬영 시기"])
    | st.text(max_size=10),
    json_values,
    max_size=12,
)
cells = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.sampled_from(
    ["", '"', '""', "\n", "a,b", "1970년대", "영산포", "공개", "\x00", "\r\n"]
)


def check_fields(fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        field = BY_NAME[name]
        if field.kind == "tags":
            assert isinstance(value, list) and len(", ".join(value)) <= field.max_length
        else:
            assert isinstance(value, str) and len(value) <= field.max_length
            assert "\x00" not in value


def read_or_refuse(reader: Any, path: Path) -> Any:
    try:
        return reader(path)
    except MetadataError as exc:
        assert " / " in str(exc), exc  # Korean and English
        return None


@fuzz_settings(300)
@given(data=st.binary(max_size=4000) | sidecar_objects.map(lambda o: json.dumps(o).encode()))
def test_sidecars(tmp_path_factory: Any, data: bytes) -> None:
    path = tmp_path_factory.mktemp("sidecar") / "p.json"
    path.write_bytes(data)
    fields = read_or_refuse(read_sidecar, path)
    if fields is not None:
        check_fields(fields)


@fuzz_settings(200)
@given(
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(cells, max_size=8), max_size=8),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp949"]),
    delimiter=st.sampled_from([",", ";", "\t"]),
)
def test_sheets(
    tmp_path_factory: Any, header: list[str], rows: list[list[str]], encoding: str, delimiter: str
) -> None:
    text = "\n".join(delimiter.join(row) for row in [header, *rows])
    path = tmp_path_factory.mktemp("sheet") / "manifest.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    sheet = read_or_refuse(read_manifest, path)
    for row in (sheet or {}).values():
        try:
            fields, _ = clean_fields(row)
        except FieldError:
            continue
        check_fields(fields)


@fuzz_settings(150)
@given(data=st.binary(max_size=3000))
def test_sheets_of_any_bytes(tmp_path_factory: Any, data: bytes) -> None:
    path = tmp_path_factory.mktemp("sheet") / "manifest.csv"
    path.write_bytes(data)
    read_or_refuse(read_manifest, path)


date_words = st.sampled_from(
    ["1970", "년대", "년", "초", "중반", "말", "경", "무렵", "~", "-", ".", " ", "70", "'68",
     "봄", "가을", "c.", "s", "X", "9", "0", "１９７５", "年", "단기", "4293"]
)  # fmt: skip


@fuzz_settings(400)
@given(text=st.text(max_size=80) | st.lists(date_words, max_size=12).map("".join))
def test_dates_are_read_or_kept_never_raised(text: str) -> None:
    parsed = parse_date(text)
    assert parsed.text == text or parsed.text == text.strip() or not parsed.ok
    if parsed.ok:
        assert parsed.start is not None and parsed.end is not None
        assert MIN_YEAR <= parsed.start <= parsed.end
    era, rest = extract_date(text)
    assert isinstance(rest, str)
    if era is not None and era.ok:
        assert era.start is not None and era.end is not None and era.start <= era.end
