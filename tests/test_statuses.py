"""Every move between record statuses, allowed or not, through the one table."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.errors import InvalidChange
from archive.features.catalogue.edits import set_status
from archive.models import Event, Photo
from archive.records.erasure import erase_photo
from archive.records.photos import create_photo
from archive.runtime import Runtime
from archive.statuses import (
    TRANSITIONS,
    ContributionState,
    RecordStatus,
    SubmissionState,
    check_submission_transition,
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
    *((old, "erased") for old in ("draft", "published", "withdrawn", "rejected")),
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
            move(runtime, session, photo, new)
        else:
            with pytest.raises(InvalidChange) as refused:
                move(runtime, session, photo, new)
            assert refused.value.code == "invalid_transition"
    with runtime.db.session() as session:
        photo = session.scalars(select(Photo).where(Photo.public_id == public_id)).one()
        kinds = [e.kind for e in session.scalars(select(Event).where(Event.photo_id == photo.id))]
    expected = new if allowed or old == new else old
    assert photo.status == expected
    assert kinds == ([str(new)] if allowed else [])


def move(runtime: Runtime, session: Session, photo: Photo, new: RecordStatus) -> None:
    """Change a status the way the services do (erasure has its own)."""
    if new == RecordStatus.ERASED:
        erase_photo(session, runtime.storages, photo, actor="test", reason="test")
    else:
        set_status(session, photo, new, actor="test", storages=runtime.storages)


def test_erasure_is_not_a_plain_status_change(runtime: Runtime) -> None:
    with runtime.db.session() as session:
        photo = create_photo(session, {"title": "지움"}, source="scan", gazetteer=runtime.gazetteer)
        with pytest.raises(InvalidChange):
            set_status(session, photo, RecordStatus.ERASED, actor="test", storages=runtime.storages)


@pytest.mark.parametrize(("old", "new"), list(itertools.product(SubmissionState, SubmissionState)))
def test_every_move_of_a_voice_is_in_the_table(old: SubmissionState, new: SubmissionState) -> None:
    allowed = {
        ("pending", "held"), ("pending", "approved"), ("pending", "rejected"),
        ("held", "approved"), ("held", "rejected"), ("approved", "rejected"),
    }  # fmt: skip
    if (str(old), str(new)) in allowed:
        check_submission_transition(old, new)
    else:
        with pytest.raises(InvalidChange) as refused:
            check_submission_transition(old, new)
        assert refused.value.code == "already_decided"


def test_contributors_see_three_states() -> None:
    assert contribution_state(RecordStatus.DRAFT) == ContributionState.PENDING
    assert contribution_state(RecordStatus.PUBLISHED) == ContributionState.PUBLISHED
    for status in (RecordStatus.REJECTED, RecordStatus.WITHDRAWN, RecordStatus.ERASED):
        assert contribution_state(status) == ContributionState.NOT_PUBLISHED


def test_no_bare_status_strings_outside_the_table() -> None:
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "archive"
    words = "draft|published|withdrawn|rejected|erased|pending|held|approved"
    pattern = re.compile(rf"""(status|state)\s*[!=]=\s*["']({words})["']""")
    offenders = [
        f"{path.relative_to(root)}:{number}"
        for path in [*root.rglob("*.py"), *root.rglob("*.html")]
        if "migrations" not in path.parts
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert offenders == []
