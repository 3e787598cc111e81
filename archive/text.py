"""Text helpers every layer shares: Unicode normalisation, Korean encodings, tag lists."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from archive.errors import MetadataError

# C0 controls (NUL included) and DEL; tab and newlines are handled per field.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f]")
# Unicode "noncharacters" and lone surrogates cannot be stored by every database.
_UNSTORABLE = re.compile(r"[\ud800-\udfff\ufffe\uffff]")


def nfc(text: str) -> str:
    """Return text in NFC (macOS writes Korean names decomposed)."""
    return unicodedata.normalize("NFC", text)


def clean_text(value: object, limit: int | None = None, *, multiline: bool = False) -> str:
    """Return storable NFC text: control characters and NULs removed, trimmed.

    Tabs and line breaks survive only in multiline text (as spaces and "\\n" otherwise).
    """
    text = nfc(str(value)).replace("\r\n", "\n").replace("\r", "\n")
    text = _UNSTORABLE.sub("", text)
    if multiline:
        text = _CONTROL.sub("", text)
    else:
        text = _CONTROL_ALL.sub(" ", text.replace("\x00", ""))
        text = re.sub(r" {2,}", " ", text)
    text = text.strip()
    return text[:limit] if limit is not None else text


def decode_text_file(data: bytes) -> str:
    """Decode UTF-8 (with or without BOM), else CP949 as Korean Excel writes it.

    :raises MetadataError: when the bytes are neither.
    """
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


def decode_legacy(raw: bytes | str) -> str:
    """Decode text that may be UTF-8 or CP949 (Korean Windows tools write both)."""
    if isinstance(raw, str):
        try:
            raw = raw.encode("latin-1")
        except UnicodeEncodeError:
            return clean_text(raw)
    for encoding in ("utf-8", "cp949"):
        try:
            return clean_text(raw.decode(encoding), multiline=True)
        except UnicodeDecodeError:
            continue
    return clean_text(raw.decode("latin-1"), multiline=True)


def split_tags(value: Any) -> list[str]:
    """Return a clean tag list from a list or a comma/semicolon separated string."""
    if isinstance(value, list | tuple):
        items = [str(v) for v in value if v is not None]
    else:
        items = str(value or "").replace(";", ",").replace("、", ",").split(",")
    seen: list[str] = []
    for item in (clean_text(i).lstrip("#").strip() for i in items):
        if item and item not in seen:
            seen.append(item)
    return seen
