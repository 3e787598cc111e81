"""The descriptive fields of a record, each declared once.

Sidecar and sheet readers, forms, pages, the API, search documents and exports read
these declarations; a field's length limit is enforced the same way on every path and
on every database (PostgreSQL refuses what SQLite would silently keep).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from archive.errors import ArchiveError
from archive.text import clean_text, nfc, split_tags

MAX_TAGS = 50
MAX_TAG_LENGTH = 100


@dataclass(frozen=True)
class Field:
    """One descriptive field of a photo record."""

    name: str  # key in sidecars, forms and the API
    column: str  # attribute of archive.models.Photo
    label_ko: str
    label_en: str
    max_length: int  # characters (for tags: of all tags joined by ", ")
    aliases: tuple[str, ...] = ()  # other sidecar keys and sheet headers (lower-case)
    kind: str = "text"  # text | tags | status
    multiline: bool = False
    editable: bool = True  # staff may change it on the review screen
    suggest: bool = False  # visitors may suggest a value ("이 사진을 아시나요?")
    public: bool = True  # shown on public pages and in the API
    search_weight: float = 0.0  # 0 means not searched
    dc: str | None = None  # Dublin Core element in exports
    shown_as: str = "fact"  # on the photo page: "title", "story", or a "fact" in the list
    public_label: str = ""  # its name on public pages, when not label_ko
    missing: str = ""  # shown on the photo page when empty ("" hides the fact)

    @property
    def label(self) -> str:
        """Return the field's name on public pages."""
        return self.public_label or self.label_ko


FIELDS: tuple[Field, ...] = (
    Field("title", "title", "제목", "Title", 500, ("제목",), search_weight=3.0, dc="title",
          shown_as="title", suggest=True),
    Field("description", "description", "설명·사연", "Description", 10_000,
          ("설명", "사연", "내용"), multiline=True, search_weight=1.0, dc="description",
          shown_as="story", public_label="사연", suggest=True),
    Field("date", "date_text", "촬영 시기", "Date", 200,
          ("촬영시기", "촬영일", "촬영 시기", "연도", "시기"), dc="date", public_label="시기",
          missing="시기 미상", suggest=True),
    Field("place", "place_text", "장소", "Place", 200, ("장소", "촬영장소", "촬영 장소"),
          search_weight=1.0, dc="coverage", missing="장소 미상", suggest=True),
    Field("people", "people", "사진 속 인물", "People", 1000,
          ("인물", "사진속인물", "사진 속 인물", "등장인물"), search_weight=1.0, suggest=True),
    Field("tags", "tags", "주제어", "Tags", 2000, ("태그", "키워드", "주제어"), kind="tags",
          search_weight=1.0, dc="subject", public_label="태그"),
    Field("rights", "rights", "이용 조건", "Rights", 100, ("저작권", "이용조건", "공공누리"),
          dc="rights", missing="저작권 확인 중"),
    Field("credit", "credit", "출처 표시", "Credit", 200, ("출처", "제공", "제공자"),
          dc="contributor", public_label="제공"),
    Field("identifier", "identifier", "관리번호", "Identifier", 64,
          ("id", "관리번호", "등록번호"), search_weight=1.0, dc="identifier"),
    Field("status", "status", "상태", "Status", 16, ("상태", "공개"), kind="status",
          editable=False, public=False, shown_as=""),
)  # fmt: skip
PUBLIC = tuple(field for field in FIELDS if field.public)
BY_NAME = {field.name: field for field in FIELDS}
EDITABLE = tuple(field.name for field in FIELDS if field.editable)
# What visitors may suggest a value for; staff-only fields (rights, identifier...) are not.
SUGGESTABLE = tuple(field.name for field in FIELDS if field.suggest and field.editable)
# Every key a sidecar or sheet header may use, mapped to the field name.
ALIASES = {alias: field.name for field in FIELDS for alias in (field.name, *field.aliases)} | {
    "file": "file",
    "filename": "file",
    "파일": "file",
    "파일명": "file",
    "파일이름": "file",
}


class FieldError(ArchiveError):
    """A value cannot be kept in a field (too long, or not text); bilingual."""

    def __init__(self, field: Field, korean: str, english: str) -> None:
        super().__init__(f"{field.name}: {english}")
        self.field = field
        self.korean = korean
        self.english = english


def field_key(header: object) -> str | None:
    """Return the field name a sidecar key or sheet header stands for, if any."""
    key = " ".join(nfc(str(header)).strip().lower().split())
    return ALIASES.get(key) or ALIASES.get(key.replace(" ", ""))


def too_long(field: Field, length: int) -> FieldError:
    """Return the error for a value over its field's limit."""
    return FieldError(
        field,
        f"{field.label_ko}이(가) 너무 깁니다({length:,}자, 최대 {field.max_length:,}자)",
        f"{field.name} is too long ({length:,} characters, at most {field.max_length:,})",
    )


def not_text(field: Field) -> FieldError:
    """Return the error for a list or object where text was expected."""
    return FieldError(
        field,
        f"{field.label_ko}에는 글자만 적을 수 있습니다(목록이나 묶음이 아님)",
        f"{field.name} must be text, not a list or an object",
    )


def _scalar(field: Field, value: Any) -> str:
    if isinstance(value, dict | list | tuple):
        raise not_text(field)
    return str(value)


def clean_value(field: Field, value: Any, *, truncate: bool = False) -> tuple[Any, bool]:
    """Return a storable value for a field and whether it was shortened.

    :param truncate: shorten an over-long value instead of refusing it.
    :raises FieldError: for a value that is not text or (without truncate) too long.
    """
    if field.kind == "tags":
        if isinstance(value, list | tuple) and any(isinstance(v, dict | list) for v in value):
            raise not_text(field)
        tags = [t[:MAX_TAG_LENGTH] for t in split_tags(value if value is not None else "")]
        joined = len(", ".join(tags))
        if (len(tags) > MAX_TAGS or joined > field.max_length) and not truncate:
            raise too_long(field, joined)
        kept: list[str] = []
        for tag in tags[:MAX_TAGS]:
            if len(", ".join([*kept, tag])) > field.max_length:
                break
            kept.append(tag)
        return kept, kept != tags
    text = clean_text(_scalar(field, "" if value is None else value), multiline=field.multiline)
    if len(text) <= field.max_length:
        return text, False
    if not truncate:
        raise too_long(field, len(text))
    return text[: field.max_length].rstrip(), True


def clean_fields(
    raw: dict[str, Any], *, truncate: bool = False, names: Iterable[str] | None = None
) -> tuple[dict[str, Any], list[Field]]:
    """Return the known, non-empty fields of raw, cleaned, with those that were shortened.

    Unknown keys are ignored; status is left as written (see archive.ingest.sidecar).
    :raises FieldError: on the first value that cannot be kept.
    """
    wanted = set(names) if names is not None else set(BY_NAME)
    result: dict[str, Any] = {}
    shortened: list[Field] = []
    for name, value in raw.items():
        field = BY_NAME.get(name)
        if field is None or name not in wanted or value is None or value == "":
            continue
        if field.kind == "status":
            result[name] = clean_text(_scalar(field, value))[: field.max_length]
            continue
        cleaned, cut = clean_value(field, value, truncate=truncate)
        if cut:
            shortened.append(field)
        if cleaned:
            result[name] = cleaned
    return result, shortened


def merge_descriptive(*layers: dict[str, Any]) -> dict[str, Any]:
    """Merge field by field: the first layer that has a value wins."""
    merged: dict[str, Any] = {}
    for layer in layers:
        for key, value in layer.items():
            if value and not merged.get(key):
                merged[key] = value
    return merged
