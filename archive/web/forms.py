"""What every form of the site shares: length messages from the field registry, and the
list of a form's problems for the error summary at its top."""

from __future__ import annotations

from typing import Any

from archive.fields import Field


def too_long(spec: Field) -> str:
    """Return the Korean message for a value longer than its registry field allows."""
    return f"{spec.label_ko}은(는) {spec.max_length:,}자까지 적을 수 있습니다."


def form_problems(form: Any) -> list[tuple[str, str, str]]:
    """Return (field id, label, message) for every error of a form, nested entries
    included, in the order the fields appear (for the error summary)."""
    problems: list[tuple[str, str, str]] = []
    for field in form:
        entries = getattr(field, "entries", None)
        if entries is not None:
            for number, entry in enumerate(entries, start=1):
                for id_, label, message in form_problems(entry.form):
                    problems.append((id_, f"사진 {number}의 {label}", message))
        elif field.errors and field.type != "CSRFTokenField":
            problems += [(field.id, field.label.text, str(m)) for m in field.errors]
    return problems
