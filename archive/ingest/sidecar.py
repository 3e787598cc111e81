"""Descriptive metadata from a JSON sidecar or a manifest.csv sheet (UTF-8 or CP949)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from pathlib import Path
from typing import Any

from archive.errors import MetadataError

FIELDS = (
    "identifier",
    "title",
    "description",
    "date",
    "place",
    "tags",
    "status",
    "rights",
    "credit",
)
MANIFEST_NAME = "manifest.csv"

# Korean (and a few English) column names a cataloguer may type into Excel.
HEADER_ALIASES = {
    "file": "file",
    "filename": "file",
    "파일": "file",
    "파일명": "file",
    "파일이름": "file",
    "identifier": "identifier",
    "id": "identifier",
    "관리번호": "identifier",
    "등록번호": "identifier",
    "title": "title",
    "제목": "title",
    "description": "description",
    "설명": "description",
    "사연": "description",
    "내용": "description",
    "date": "date",
    "촬영시기": "date",
    "촬영일": "date",
    "연도": "date",
    "시기": "date",
    "place": "place",
    "장소": "place",
    "촬영장소": "place",
    "tags": "tags",
    "태그": "tags",
    "키워드": "tags",
    "status": "status",
    "상태": "status",
    "공개": "status",
    "rights": "rights",
    "저작권": "rights",
    "이용조건": "rights",
    "공공누리": "rights",
    "credit": "credit",
    "출처": "credit",
    "제공": "credit",
    "제공자": "credit",
}
STATUS_ALIASES = {
    "draft": "draft",
    "published": "published",
    "publish": "published",
    "withdrawn": "withdrawn",
    "공개": "published",
    "게시": "published",
    "비공개": "draft",
    "임시": "draft",
    "초안": "draft",
}


def nfc(text: str) -> str:
    """Return text in NFC (macOS writes Korean names decomposed)."""
    return unicodedata.normalize("NFC", text)


def decode_text_file(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else CP949 as Korean Excel writes it."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp949")
    except UnicodeDecodeError as exc:
        raise MetadataError(
            "글자 인코딩을 알 수 없습니다(UTF-8 또는 CP949로 저장해 주세요) / "
            "unknown text encoding: save as UTF-8 or CP949"
        ) from exc


def split_tags(value: Any) -> list[str]:
    """Return a clean tag list from a list or a comma/semicolon separated string."""
    if isinstance(value, list):
        items = [str(v) for v in value]
    else:
        items = str(value or "").replace(";", ",").replace("、", ",").split(",")
    seen: list[str] = []
    for item in (nfc(i).strip().lstrip("#") for i in items):
        if item and item not in seen:
            seen.append(item)
    return seen


def normalise_fields(raw: dict[str, Any]) -> dict[str, Any]:
    """Keep known fields, clean their text and validate status."""
    result: dict[str, Any] = {}
    for key in FIELDS:
        value = raw.get(key)
        if value is None or value == "":
            continue
        if key == "tags":
            result[key] = split_tags(value)
        elif key == "status":
            status = STATUS_ALIASES.get(nfc(str(value)).strip().lower())
            if status is None:
                raise MetadataError(
                    f"상태 값 '{value}'을(를) 알 수 없습니다(공개/비공개 또는 published/draft) / "
                    f"unknown status {value!r}: use published or draft"
                )
            result[key] = status
        else:
            result[key] = nfc(str(value)).strip()
    return result


def read_sidecar(path: Path) -> dict[str, Any]:
    """Read NAME.json next to an image.

    :raises MetadataError: when it is not a JSON object or has a bad value.
    """
    try:
        data = json.loads(decode_text_file(path.read_bytes()))
    except json.JSONDecodeError as exc:
        raise MetadataError(
            f"설명 파일 {path.name}의 JSON 형식이 잘못되었습니다({exc.lineno}행) / "
            f"sidecar {path.name} is not valid JSON (line {exc.lineno}): {exc.msg}"
        ) from exc
    if not isinstance(data, dict):
        raise MetadataError(
            f"설명 파일 {path.name}은(는) {{...}} 형태여야 합니다 / "
            f"sidecar {path.name} must hold a JSON object"
        )
    aliased = {HEADER_ALIASES.get(nfc(str(k)).strip().lower(), str(k)): v for k, v in data.items()}
    return normalise_fields(aliased)


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    """Read a manifest.csv into {file name: raw row}, keyed by NFC lower-case name.

    :raises MetadataError: when the sheet has no file column or cannot be decoded.
    """
    text = decode_text_file(path.read_bytes())
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    rows = [row for row in reader if any(cell.strip() for cell in row)]
    if not rows:
        raise MetadataError(f"{path.name}이(가) 비어 있습니다 / {path.name} is empty")
    header = [HEADER_ALIASES.get(nfc(h).strip().lower(), "") for h in rows[0]]
    if "file" not in header:
        raise MetadataError(
            f"{path.name}에 '파일명'(file) 열이 없습니다. 첫 줄에 열 이름을 적어 주세요 / "
            f"{path.name} has no 'file' column in its first row"
        )
    sheet: dict[str, dict[str, Any]] = {}
    for row in rows[1:]:
        record = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
        name = nfc(record.pop("file", "")).strip().lower()
        if name:
            sheet[name] = record
    return sheet


def manifest_row(sheet: dict[str, dict[str, Any]], file_name: str) -> dict[str, Any] | None:
    """Find the row for a file by full name, else by name without extension."""
    name = nfc(file_name).lower()
    if name in sheet:
        return sheet[name]
    return sheet.get(Path(name).stem)


def merge_descriptive(*layers: dict[str, Any]) -> dict[str, Any]:
    """Merge field by field: the first layer that has a value wins."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if value and not merged.get(key):
                merged[key] = value
    return merged
