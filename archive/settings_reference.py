"""The settings reference (docs/reference/settings.md), written from the declarations in
archive/config.py: `make settings-reference` writes it, and a test fails when it drifts."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from annotated_types import Ge, Gt, Le
from pydantic.fields import FieldInfo

from archive.config import Settings
from archive.settings_rules import GROUPS, PREFIX

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "reference" / "settings.md"
HEADER = """# 설정 (Settings)

<!-- Written by `make settings-reference` from archive/config.py: edit the declarations there. -->

Every setting is an environment variable with a working default; an empty value counts as unset.
They are read once at start and checked against their rules: a value that breaks one stops the
command (or the server) with a message in Korean and English that names the variable, e.g.
`ARCHIVE_SMTP_PORT='abc': 정수를 적으세요 / give a whole number`. Yes-or-no settings take `1` or `0`
(also `true`/`false`, `yes`/`no`, `on`/`off`)."""


def render() -> str:
    """Return the reference as Markdown: one table per group, in the declarations' order."""
    lines = [HEADER]
    for group, title in GROUPS.items():
        lines += [
            "",
            f"## {title}",
            "",
            "| variable | default | what it is for |",
            "| --- | --- | --- |",
        ]
        for name, field in Settings.model_fields.items():
            if _group(field) == group:
                words = " ".join(str(field.description).split()).rstrip(".")
                lines.append(f"| `{PREFIX}{name.upper()}` | {_default(field.default)} | "
                             f"{words}{_rules(field)}. |")  # fmt: skip
    return "\n".join(lines) + "\n"


def _group(field: FieldInfo) -> str:
    extra = field.json_schema_extra
    return str(extra["group"]) if isinstance(extra, dict) else ""


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return "`1`" if value else "`0`"
    if value == "":
        return "empty"
    return f"`{value}`"


def _rules(field: FieldInfo) -> str:
    rules = []
    for rule in field.metadata:
        if isinstance(rule, Ge):
            rules.append(f"at least {rule.ge}")
        elif isinstance(rule, Gt):
            rules.append(f"more than {rule.gt}")
        elif isinstance(rule, Le):
            rules.append(f"at most {rule.le}")
    return "".join(f"; {rule}" for rule in rules)


if __name__ == "__main__":
    sys.stdout.write(render())
