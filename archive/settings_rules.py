"""How settings are declared (groups, rules) and checked, and plain Korean and English
words for a setting that breaks its rules. archive/config.py holds the declarations."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

PREFIX = "ARCHIVE_"
# The groups of the settings reference, in its order.
GROUPS = {
    "data": "데이터와 저장소 (data and storage)",
    "ingest": "수집 (ingest)",
    "images": "이미지 (images)",
    "tables": "기록과 기준 표 (records and reference tables)",
    "web": "웹과 보안 (web and security)",
    "office": "기관 안내 (office and privacy)",
    "oai": "OAI-PMH",
    "citizens": "시민 참여 (contributions and voices)",
    "staff": "직원 계정 (staff accounts)",
    "mail": "메일 (mail)",
}
# Settings whose values are never repeated in a message (it may reach a log).
SECRET = frozenset({"secret_key", "smtp_password"})


def setting(default: Any, group: str, **rules: Any) -> Any:
    """Declare a setting's default, group and rules (ge, le, gt); the docstring under the
    field is its description in the reference."""
    if group not in GROUPS:
        raise ValueError(f"unknown settings group {group!r}")
    return Field(default, json_schema_extra={"group": group}, **rules)


class MappingSource(PydanticBaseSettingsSource):
    """ARCHIVE_* values from a given mapping instead of os.environ (empty ones unset)."""

    def __init__(self, settings_cls: type[BaseSettings], env: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env = env

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        """Return the raw value of a field's variable (None when unset or empty)."""
        raw = self.env.get(PREFIX + field_name.upper())
        return (raw if raw is not None and raw.strip() else None), field_name, False

    def __call__(self) -> dict[str, Any]:
        values = {}
        for name, field in self.settings_cls.model_fields.items():
            raw, key, _ = self.get_field_value(field, name)
            if raw is not None:
                values[key] = raw
        return values


def site_address(url: str) -> str:
    """Check that url is an address visitors can use (http or https, a host, nothing after)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            "방문자가 쓰는 주소를 적으세요 / give the address visitors use, "
            "e.g. https://oldphoto.naju.go.kr"
        )
    return url


def network_list(text: str) -> str:
    """Check that text lists addresses or networks (comma-separated), or `*`."""
    for item in (part.strip() for part in text.split(",")):
        try:
            if item and item != "*":
                ipaddress.ip_network(item)
        except ValueError:
            raise ValueError(
                f"{item!r}: 주소나 네트워크가 아닙니다 / is not an address or network "
                "(e.g. 127.0.0.1,10.0.0.0/8)"
            ) from None
    return text


def known_file(path: str) -> str:
    """Check that path, when given, names a file that exists."""
    if path.strip() and not Path(path.strip()).is_file():
        raise ValueError("그런 파일이 없습니다 / no such file")
    return path


# Types of settings with a rule of their own.
SiteAddress = Annotated[str, AfterValidator(site_address)]
NetworkList = Annotated[str, AfterValidator(network_list)]
KnownFile = Annotated[str, AfterValidator(known_file)]


def explain(exc: ValidationError, prefix: str) -> str:
    """Return one clause per broken setting, naming its variable (and its value)."""
    clauses = []
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "?"
        variable = prefix + name.upper()
        if error["type"] == "extra_forbidden":
            clauses.append(f"{variable}: 없는 설정입니다 / no such setting")
        elif name in SECRET:
            clauses.append(f"{variable}: {_words(error)}")
        else:
            clauses.append(f"{variable}={error.get('input')!r}: {_words(error)}")
    return "; ".join(clauses)


def _words(error: Any) -> str:
    kind, context = error["type"], error.get("ctx", {})
    if kind in ("int_parsing", "int_from_float"):
        return "정수를 적으세요 / give a whole number"
    if kind == "float_parsing":
        return "숫자를 적으세요 / give a number"
    if kind == "bool_parsing":
        return "1 또는 0을 적으세요 / give 1 or 0 (true or false)"
    if kind == "greater_than_equal":
        return f"{context['ge']} 이상이어야 합니다 / must be at least {context['ge']}"
    if kind == "greater_than":
        return f"{context['gt']}보다 커야 합니다 / must be more than {context['gt']}"
    if kind == "less_than_equal":
        return f"{context['le']} 이하여야 합니다 / must be at most {context['le']}"
    if kind == "literal_error":
        choices = str(context["expected"]).replace("'", "")
        return f"다음 가운데 하나를 쓰세요 / use {choices}"
    if kind == "value_error":
        return str(context.get("error", error["msg"]))
    return str(error["msg"])
