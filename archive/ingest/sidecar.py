"""Descriptive metadata from a JSON sidecar or a manifest.csv sheet (UTF-8 or CP949).

Both are written by people, so every problem becomes a MetadataError with a reason in
Korean and English, which fails the files it describes and nothing else. Sizes are
bounded before parsing; field lengths come from archive.fields.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from archive.errors import MetadataError
from archive.fields import BY_NAME, FieldError, clean_fields, field_key
from archive.statuses import RecordStatus
from archive.text import clean_text, decode_text_file, nfc

MANIFEST_NAME = "manifest.csv"
SIDECAR_MAX_BYTES = 1024 * 1024
MANIFEST_MAX_BYTES = 20 * 1024 * 1024
# Longer than any field may be, so an over-long cell is reported for its own row.
CELL_MAX_CHARS = 4 * max(field.max_length for field in BY_NAME.values())
STATUS_ALIASES = {
    "draft": RecordStatus.DRAFT,
    "published": RecordStatus.PUBLISHED,
    "publish": RecordStatus.PUBLISHED,
    "withdrawn": RecordStatus.WITHDRAWN,
    "공개": RecordStatus.PUBLISHED,
    "게시": RecordStatus.PUBLISHED,
    "비공개": RecordStatus.DRAFT,
    "임시": RecordStatus.DRAFT,
    "초안": RecordStatus.DRAFT,
}


def normalise_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Keep known fields, clean their text, check lengths and the status.

    :raises MetadataError: naming the field that cannot be kept, and why.
    """
    try:
        fields, _ = clean_fields(raw)
    except FieldError as exc:
        raise MetadataError(f"{exc.korean} / {exc.english}") from exc
    if "status" in fields:
        status = STATUS_ALIASES.get(fields["status"].lower())
        if status is None:
            raise MetadataError(
                f"상태 값 '{fields['status']}'을(를) 알 수 없습니다(공개/비공개 또는 "
                f"published/draft) / unknown status {fields['status']!r}: use published or draft"
            )
        fields["status"] = status
    return fields


def _read_limited(path: Path, limit: int, what_ko: str, what_en: str) -> str:
    size = path.stat().st_size
    if size > limit:
        raise MetadataError(
            f"{what_ko} {path.name}이(가) 너무 큽니다({size / 1024**2:.1f}MB, 최대 "
            f"{limit // 1024**2}MB) / {what_en} {path.name} is too large "
            f"({size:,} bytes, at most {limit:,})"
        )
    return decode_text_file(path.read_bytes())


def read_sidecar(path: Path) -> dict[str, Any]:
    """Read NAME.json next to an image.

    :raises MetadataError: when it is too large, not a JSON object, or has a bad value.
    """
    text = _read_limited(path, SIDECAR_MAX_BYTES, "설명 파일", "sidecar")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MetadataError(
            f"설명 파일 {path.name}의 JSON 형식이 잘못되었습니다({exc.lineno}행) / "
            f"sidecar {path.name} is not valid JSON (line {exc.lineno}): {exc.msg}"
        ) from exc
    except (RecursionError, ValueError) as exc:  # deep nesting, or a number too long
        raise MetadataError(
            f"설명 파일 {path.name}의 구조가 지나치게 깊거나 값이 너무 깁니다 / "
            f"sidecar {path.name} is nested too deeply or holds an over-long value"
        ) from exc
    if not isinstance(data, dict):
        raise MetadataError(
            f"설명 파일 {path.name}은(는) {{...}} 형태여야 합니다 / "
            f"sidecar {path.name} must hold a JSON object"
        )
    aliased: dict[str, Any] = {}
    for key, value in data.items():
        name = field_key(key)
        if name and name != "file":
            aliased[name] = value
    return normalise_fields(aliased)


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Read a manifest.csv into {file name: raw row}, keyed by NFC lower-case name.

    :raises MetadataError: when the sheet is too large, cannot be decoded or parsed, or
        has no file column.
    """
    text = _read_limited(path, MANIFEST_MAX_BYTES, "목록 시트", "sheet")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    csv.field_size_limit(CELL_MAX_CHARS)
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise MetadataError(
            f"{path.name}의 {reader.line_num}행을 읽을 수 없습니다(칸이 너무 길거나 따옴표가 "
            f"맞지 않음) / {path.name} line {reader.line_num} cannot be read: {exc}"
        ) from exc
    if not rows:
        raise MetadataError(f"{path.name}이(가) 비어 있습니다 / {path.name} is empty")
    header = [field_key(h) or "" for h in rows[0]]
    if "file" not in header:
        raise MetadataError(
            f"{path.name}에 '파일명'(file) 열이 없습니다. 첫 줄에 열 이름을 적어 주세요 / "
            f"{path.name} has no 'file' column in its first row"
        )
    sheet: dict[str, dict[str, Any]] = {}
    for row in rows[1:]:
        record = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
        name = clean_text(record.pop("file", "")).lower()
        if name:
            sheet[name] = record
    return sheet


def manifest_row(sheet: dict[str, dict[str, Any]], file_name: str) -> dict[str, Any] | None:
    """Find the row for a file by full name, else by name without extension."""
    name = nfc(file_name).lower()
    if name in sheet:
        return sheet[name]
    return sheet.get(Path(name).stem)
