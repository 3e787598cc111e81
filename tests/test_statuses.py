"""Every move between record statuses, allowed or not, through the one table."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select

from archive.errors import InvalidChange
from archive.models import Event, Photo
from archive.runtime import Runtime
from archive.services.catalogue import set_status
from archive.services.photos import create_photo
from archive.statuses import (
    TRANSITIONS,
    ContributionState,
    RecordStatus,
    check_transition,
    contribution_state,
)

PAIRS = list(itertools.product(RecordStatus, RecordStatus))
ALLOWED = {
    ("draft", "published"),
    ("draft", "rejected"),
    ("published", "withdrawn"),
    ("withdrawn", "published"),
    ("withdrawn", "draft"),
    ("rejected", "published"),
    ("rejected", "draft"),
}


def test_the_table_is_what_the_office_decided() -> None:
    assert {(str(a), str(b)) for a, targets in TRANSITIONS.items() for b in targets} == ALLOWED
    assert set(TRANSITIONS) == set(RecordStatus)


@pytest.mark.parametrize(("old", "new"), PAIRS, ids=[f"{a}-{b}" for a, b in PAIRS])
def test_every_pair_through_the_service(
    runtime: Runtime, old: RecordStatus, new: RecordStatus
) -> None:
    with runtime.db.session() as session:
        photo = create_photo(
            session, {"title": "상태", "status": old}, source="scan", gazetteer=runtime.gazetteer
        )
        public_id = photo.public_id
    allowed = (str(old), str(new)) in ALLOWED
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        if old == new:
            set_status(session, photo, new, actor="test", storages=runtime.storages)
        elif allowed:
            check_transition(old, new)
            set_status(session, photo, new, actor="test", storages=runtime.storages)
        else:
            with pytest.raises(InvalidChange) as refused:
                set_status(session, photo, new, actor="test", storages=runtime.storages)
            assert refused.value.code == "invalid_transition"
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.photo_id == photo.id))]
    expected = new if allowed or old == new else old
    assert photo.status == expected
    assert kinds == ([str(new)] if allowed else [])


def test_contributors_see_three_states() -> None:
    assert contribution_state(RecordStatus.DRAFT) == ContributionState.PENDING
    assert contribution_state(RecordStatus.PUBLISHED) == ContributionState.PUBLISHED
    for status in (RecordStatus.REJECTED, RecordStatus.WITHDRAWN):
        assert contribution_state(status) == ContributionState.NOT_PUBLISHED


def test_no_bare_status_strings_outside_the_table() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "archive"
    pattern = re.compile(r"""status\s*[!=]=\s*["'](draft|published|withdrawn|rejected)["']""")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in [*root.rglob("*.py"), *root.rglob("*.html")]
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
