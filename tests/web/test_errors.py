"""Every error code a service can raise has one answer in the web's table."""

from __future__ import annotations

import re
from pathlib import Path

from archive.errors import ArchiveError, DecoderBusy, IndexUnavailable, InvalidChange, NotFound
from archive.web.errors import ANSWERS, answer

ROOT = Path(__file__).resolve().parents[2] / "archive"


def test_every_code_raised_has_an_answer() -> None:
    raised = set()
    for path in ROOT.rglob("*.py"):
        raised |= set(re.findall(r'InvalidChange\(\s*"([a-z_]+)"', path.read_text("utf-8")))
    raised |= {cls.code for cls in (NotFound, IndexUnavailable, DecoderBusy)}
    assert raised and raised <= set(ANSWERS), raised - set(ANSWERS)


def test_answers_come_from_the_code_not_the_message() -> None:
    one = InvalidChange("reason_required", "any words at all")
    other = InvalidChange("reason_required", "completely different words")
    assert answer(one) == answer(other) == ANSWERS["reason_required"]
    status, message = answer(InvalidChange("invalid_value", "title too long", "제목이 너무 깁니다"))
    assert status == 422 and "제목이 너무 깁니다" in message
    assert answer(ArchiveError("an unforeseen one"))[0] == 500
