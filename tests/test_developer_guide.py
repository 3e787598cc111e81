"""The developer guide's "what a change touches" table holds for the code: a declaration
read in more places than the table lists fails here, and so does a setting read from the
environment anywhere but where settings are declared."""

from __future__ import annotations

import re
from pathlib import Path

from archive.background import KINDS
from archive.jobs.kinds import JobKind
from archive.renditions import RENDITIONS

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "developer.md"


def touched(row: str) -> set[str]:
    """Return the archive files the guide's row for `row` names (written as `web/x.py`)."""
    line = next(
        x for x in GUIDE.read_text(encoding="utf-8").splitlines() if x.startswith(f"| {row} |")
    )
    names = re.findall(r"`((?:archive/)?[a-z_]+(?:/[a-z_]+)*\.py)`", line)
    return {name.removeprefix("archive/") for name in names}


def sources() -> dict[str, str]:
    """Return every archive module's text by its path under archive/."""
    archive = ROOT / "archive"
    return {
        str(p.relative_to(archive)): p.read_text(encoding="utf-8") for p in archive.rglob("*.py")
    }


def test_a_rendition_kind_is_named_where_the_guide_says_and_nowhere_else() -> None:
    # The large thumbnail was the last kind added, and has no other role: the files that
    # name it are what adding a kind touches ("web" and "thumb" are also fallbacks and
    # words of other things, so they would say nothing).
    assert any(spec.name == "thumb_large" for spec in RENDITIONS)
    named = {path for path, text in sources().items() if '"thumb_large"' in text}
    listed = touched("a rendition kind") - {"config.py"}  # its size setting is thumb_large_size
    assert named == listed, f"named in {sorted(named)}, the guide lists {sorted(listed)}"


def test_every_job_kind_is_in_the_one_registry() -> None:
    declared = {
        match
        for text in sources().values()
        for match in re.findall(r'JobKind\(\s*"([a-z-]+)"', text)
    }
    assert declared and declared == set(KINDS), "a JobKind not in KINDS, or KINDS with a stray"
    assert all(isinstance(kind, JobKind) for kind in KINDS.values())


def test_settings_are_read_from_the_environment_only_where_declared() -> None:
    readers = {
        path
        for path, text in sources().items()
        if re.search(r"environ(?:\.get)?\(?\[?\s*[\"']ARCHIVE_", text) or 'getenv("ARCHIVE_' in text
    }
    # logs.py reads the log format before any settings load (the CLI's first line).
    assert readers <= {"logs.py"}, f"ARCHIVE_* read outside archive/config.py: {sorted(readers)}"


def test_the_guide_lists_the_arrows_between_features_the_layering_allows() -> None:
    from tests.test_layers import FEATURE_ARROWS

    text = GUIDE.read_text(encoding="utf-8")
    paragraph = text[text.index("Between features, only these arrows exist") :].split("\n\n")[0]
    listed: set[tuple[str, str]] = set()
    for sources, targets in re.findall(r"`([a-z,\s]+) → ([a-z,\s]+)`", paragraph):
        listed |= {(s.strip(), t.strip()) for s in sources.split(",") for t in targets.split(",")}
    declared = {(s, t) for s, targets in FEATURE_ARROWS.items() for t in targets}
    assert listed == declared
