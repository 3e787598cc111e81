"""Admins edit the reference tables (gazetteer, variants, periods): every change is
checked as a whole table, kept with a revision, logged in the audit log, and sets the
workers re-reading records' places and dates where the table decides them."""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.config import Settings
from archive.db import Database, mark_public_change
from archive.errors import ArchiveError, InvalidChange
from archive.jobs.kinds import JobKind
from archive.jobs.queue import Claimed, enqueue
from archive.models import Photo, ReferenceTable
from archive.places.gazetteer import Gazetteer
from archive.records.events import record_event
from archive.statuses import RecordStatus
from archive.tables import TABLES, Table, TableSpec, read

log = logging.getLogger(__name__)
# Each text cell, and the whole table, as long as an admin could mean it.
MAX_CELL = 500
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class TableState:
    """A table as it is now: its rows, revision (0: still the file) and last editor."""

    spec: TableSpec
    table: Table
    revision: int
    updated_by: str = ""
    updated_at: datetime | None = None

    @property
    def edited(self) -> bool:
        """Return whether an admin's copy is in use (not the packaged or configured file)."""
        return self.revision > 0


def spec_of(name: str) -> TableSpec:
    """Return a table's registry entry.

    :raises InvalidChange: for a name that is not a reference table.
    """
    if name not in TABLES:
        raise InvalidChange("unknown_field", f"no reference table {name!r}", name)
    return TABLES[name]


def current(session: Session, settings: Settings, name: str) -> TableState:
    """Return the table in use: the admin's copy, else the file."""
    spec = spec_of(name)
    row = session.get(ReferenceTable, name)
    if row is None:
        return TableState(spec, read(spec.file_bytes(settings)), 0)
    table = read(row.content.encode())
    return TableState(spec, table, row.revision, row.updated_by, row.updated_at)


def overrides(session: Session) -> dict[str, tuple[int, bytes]]:
    """Return every admin's copy as name → (revision, UTF-8 content)."""
    rows = session.scalars(select(ReferenceTable))
    return {row.name: (row.revision, row.content.encode()) for row in rows}


def revisions(session: Session) -> dict[str, int]:
    """Return each edited table's revision (a cheap check of whether anything changed)."""
    rows = session.execute(select(ReferenceTable.name, ReferenceTable.revision))
    return {name: revision for name, revision in rows}


def checked(spec: TableSpec, data: bytes) -> Table:
    """Return the table read from data once it passes its checks.

    :raises InvalidChange: saying in Korean what is wrong and on which line.
    """
    if len(data) > MAX_BYTES:
        raise InvalidChange("too_long", "table too large", "2 MB를 넘는 표는 받을 수 없습니다")
    try:
        table = read(data)
        missing = [c for c in spec.columns if c not in table.header]
        if missing:
            raise InvalidChange(
                "invalid_value", "missing columns", f"머리줄에 없는 열: {', '.join(missing)}"
            )
        if any(len(cell) > MAX_CELL for row in table.rows for cell in row):
            raise InvalidChange("too_long", "cell too long", f"한 칸은 {MAX_CELL}자까지입니다")
        spec.check(table.text().encode())
    except InvalidChange:
        raise
    except ArchiveError as exc:  # "Korean / English": admins are told the Korean half
        raise InvalidChange("invalid_value", str(exc), str(exc).split(" / ")[0]) from exc
    return table


def save(
    session: Session,
    settings: Settings,
    name: str,
    data: bytes,
    *,
    actor: str,
    revision: int | None,
    how: str,
) -> TableState:
    """Replace a table with new content after checking it.

    :param revision: the revision the admin started from; a newer one refuses the save
        (someone else changed the table meanwhile). None: an import that replaces all.
    :param how: what the admin did, in Korean, for the audit log ("CSV 가져오기").
    """
    before = current(session, settings, name)
    if revision is not None and revision != before.revision:
        raise InvalidChange(
            "invalid_transition", "stale revision", "다른 분이 먼저 고쳤습니다. 새로 열어 주세요"
        )
    table = checked(before.spec, data)
    row = session.get(ReferenceTable, name) or ReferenceTable(name=name, revision=0)
    row.content, row.revision, row.updated_by = table.text(), before.revision + 1, actor
    session.add(row)
    session.flush()
    _changed(session, before, table, actor, how, row.revision)
    return current(session, settings, name)


def reset(session: Session, settings: Settings, name: str, *, actor: str) -> TableState:
    """Go back to the packaged (or configured) file, forgetting the admin's copy."""
    before = current(session, settings, name)
    if not before.edited:
        return before
    session.execute(delete(ReferenceTable).where(ReferenceTable.name == name))
    after = current(session, settings, name)
    _changed(session, before, after.table, actor, "기본 표로 되돌리기", 0)
    return after


def put_row(
    session: Session,
    settings: Settings,
    name: str,
    index: int | None,
    values: dict[str, str],
    *,
    actor: str,
    revision: int,
) -> TableState:
    """Change row `index` (0-based) to values, or add it at the end when index is None."""
    state = current(session, settings, name)
    table = state.table
    row = [values.get(column, "").strip() for column in table.header]
    if not any(row):
        raise InvalidChange("empty_text", "empty row", "빈 줄은 저장할 수 없습니다")
    rows = list(table.rows)
    if index is None:
        rows.append(row)
    else:
        _known_row(rows, index)
        rows[index] = row
    how = "한 줄 추가" if index is None else "한 줄 고침"
    updated = Table(table.preamble, table.header, rows).text().encode()
    return save(session, settings, name, updated, actor=actor, revision=revision, how=how)


def delete_row(
    session: Session, settings: Settings, name: str, index: int, *, actor: str, revision: int
) -> TableState:
    """Remove row `index` (0-based); the whole table is checked again (a place others
    refer to cannot go)."""
    table = current(session, settings, name).table
    rows = list(table.rows)
    _known_row(rows, index)
    del rows[index]
    updated = Table(table.preamble, table.header, rows).text().encode()
    return save(session, settings, name, updated, actor=actor, revision=revision, how="한 줄 지움")


def _known_row(rows: list[list[str]], index: int) -> None:
    if not 0 <= index < len(rows):
        raise InvalidChange(
            "invalid_transition", "no such row", "그 줄이 없습니다. 새로 열어 주세요"
        )


def _changed(
    session: Session, before: TableState, after: Table, actor: str, how: str, revision: int
) -> None:
    """Log the change with what was added and removed, and set its effects going."""
    old, new = Counter(map(tuple, before.table.rows)), Counter(map(tuple, after.rows))
    added, removed = sum((new - old).values()), sum((old - new).values())
    spec = before.spec
    record_event(
        session,
        "table",
        actor=actor,
        message=f"{spec.label} 수정 ({how}): {added}줄 더함, {removed}줄 뺌",
        detail={
            "table": spec.name,
            "table_label": spec.label,
            "revision": revision,
            "how": how,
            "added": [" | ".join(r) for r in (new - old).elements()][:50],
            "removed": [" | ".join(r) for r in (old - new).elements()][:50],
        },
    )
    if spec.rederives:
        enqueue(session, TABLES_APPLY, {"table": spec.name})
    mark_public_change(session)


def rederive_records(db: Database, gazetteer: Gazetteer, batch: int = 500) -> int:
    """Read every record's place and date text again with the tables now in use; queue
    the records whose places or years changed for the index. Return how many changed."""
    from archive.dates import parse_date
    from archive.records.photos import queue_reindex, set_date, set_place

    changed, last_id = 0, 0
    while True:
        with db.session() as session:
            photos = session.scalars(
                select(Photo)
                .where(Photo.id > last_id, Photo.status != RecordStatus.ERASED)
                .order_by(Photo.id)
                .limit(batch)
            ).all()
            if not photos:
                return changed
            for photo in photos:
                places = [place.name for place, _m in gazetteer.find_in(photo.place_text or "")]
                parsed = parse_date(photo.date_text or "")
                dates = (parsed.start, parsed.end, parsed.precision, parsed.edtf)
                if places == list(photo.places or []) and dates == (
                    photo.date_start,
                    photo.date_end,
                    photo.date_precision,
                    photo.date_edtf,
                ):
                    continue
                set_place(photo, photo.place_text or "", gazetteer)
                set_date(photo, photo.date_text or "")
                queue_reindex(session, photo)
                changed += 1
            last_id = photos[-1].id


def _apply_tables(context: Any, _job: Claimed) -> None:
    """Read every record again with the tables now in use, and bring the index in step."""
    search = context.search
    changed = rederive_records(context.db, search.gazetteer)
    search.sync(context.db, wait=30.0)  # the records read differently are found so at once
    log.info("reference tables applied: %d records read differently", changed)


TABLES_APPLY = JobKind("tables-apply", "참조표 다시 적용", handler=_apply_tables)
