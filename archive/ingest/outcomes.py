"""Where a handled file goes (done/, failed/, duplicates/) and the notes left for the operator."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from archive.config import Settings
from archive.digest import FileIdentity
from archive.errors import IngestError
from archive.faults import storage_fault
from archive.ingest.files import DropFile, move_out, move_verified
from archive.ingest.metadata import MetadataSource
from archive.ingest.pipeline import ACTOR, IngestResult
from archive.ingest.sidecar import MANIFEST_NAME
from archive.records.events import record_event
from archive.text import nfc

CHANGED_WARNING = (
    "처리하는 동안 파일이 바뀌어 옮기지 않았습니다. 바뀐 파일을 다시 처리합니다 / "
    "the file changed while it was processed, so it was left to be taken again"
)


@dataclass
class Summary:
    """Counts of one run, by outcome."""

    counts: dict[str, int] = field(default_factory=dict)
    started: float | None = None  # set when the first file is taken, so start-up is excluded

    def start(self) -> None:
        """Mark the moment processing began, once."""
        if self.started is None:
            self.started = time.monotonic()

    def add(self, result: IngestResult) -> None:
        """Count one file's outcome."""
        self.counts[result.outcome] = self.counts.get(result.outcome, 0) + 1

    def as_json(self) -> dict[str, Any]:
        """Return the summary object printed after the per-file lines."""
        seconds = time.monotonic() - self.started if self.started is not None else 0.0
        total = sum(self.counts.values())
        return {
            "summary": True,
            "total": total,
            **{
                k: self.counts.get(k, 0)
                for k in ("ingested", "attached", "duplicate", "failed", "skipped")
            },
            "seconds": round(seconds, 3),
            "per_minute": round(total * 60 / seconds, 1) if seconds else None,
        }


OUTCOME_DIRS = {
    "ingested": "done",
    "attached": "done",
    "duplicate": "duplicates",
    "failed": "failed",
}


def failed(drop: DropFile, error: IngestError) -> IngestResult:
    """Return the result of a file that cannot become a record."""
    return IngestResult(
        drop.rel, "failed", reason=error.english, korean=error.korean, advice=error.advice
    )


def skipped(drop: DropFile) -> IngestResult:
    """Return the result of a file that never stopped changing."""
    return IngestResult(
        drop.rel,
        "skipped",
        reason="the file was still being written; left in the inbox",
        korean="파일이 아직 쓰이는 중이라 받은 편지함에 그대로 두었습니다.",
    )


def retry_later(drop: DropFile, exc: Exception) -> IngestResult:
    """Return the result of a file left in place because storage or the database failed."""
    fault = storage_fault(exc)
    if fault is not None:
        return IngestResult(
            drop.rel,
            "failed",
            reason=f"the storage is full or cannot be written ({fault}); file left to retry",
            korean="저장 공간이 가득 찼거나 저장소에 쓸 수 없어 처리하지 못했습니다. "
            "파일은 그대로 두고 나중에 다시 시도합니다.",
        )
    return IngestResult(
        drop.rel,
        "failed",
        reason=f"storage or database problem, file left to retry: {exc}"[:300],
        korean="저장소나 데이터베이스 문제로 처리하지 못했습니다. "
        "파일은 그대로 두고 다시 시도합니다.",
    )


def taken_again(drop: DropFile, reason: IngestError) -> IngestResult:
    """Return the result of a file left in the inbox to be taken again (changed, stopped)."""
    return IngestResult(drop.rel, "skipped", reason=reason.english, korean=reason.korean)


def metadata_error(exc: Exception) -> IngestError:
    """Translate a sidecar or sheet problem into the failure of the file it describes."""
    return IngestError(
        "metadata",
        f"설명 정보(JSON 또는 manifest.csv)를 읽을 수 없습니다: {exc}",
        f"the descriptive metadata (JSON sidecar or manifest.csv) cannot be read: {exc}",
        "설명 파일이나 목록 시트를 고친 뒤 이미지와 함께 다시 넣어 주세요.",
    )


def log_failure(session: Session, drop: DropFile, error: IngestError) -> None:
    """Add a failed-file event to the log."""
    record_event(
        session,
        "failed",
        actor=ACTOR,
        source_path=drop.rel,
        message=error.english,
        detail={"code": error.code, "korean": error.korean},
    )


def move_after(
    settings: Settings,
    root: Path,
    drop: DropFile,
    result: IngestResult,
    identity: FileIdentity | None,
    sha256: str,
) -> bool:
    """Move a recorded file (and its sidecar) to done/ or duplicates/; False if it changed.

    A duplicate is hashed again right before it moves: its note says it may be deleted,
    so it must be the very bytes that were found to be stored already.
    """
    target_root = settings.scans_dir / OUTCOME_DIRS[result.outcome]
    again = sha256 if result.outcome == "duplicate" else None
    moved = move_verified(drop.path, root, target_root, identity, again)
    if moved is None:
        return False
    if drop.sidecar.is_file():
        move_out(drop.sidecar, root, target_root)
    if result.outcome == "duplicate":
        write_note(
            moved,
            "duplicate",
            result.korean or "",
            result.reason or "",
            "같은 파일이 이미 보관되어 있으므로 지워도 됩니다.",
        )
    return True


def move_failed(
    settings: Settings,
    root: Path,
    drop: DropFile,
    error: IngestError,
    identity: FileIdentity | None,
) -> bool:
    """Move a failed file (and its sidecar) to failed/ with an error note; False if it changed."""
    target_root = settings.scans_dir / "failed"
    moved = move_verified(drop.path, root, target_root, identity)
    if moved is None:
        return False
    if drop.sidecar.is_file():
        move_out(drop.sidecar, root, target_root)
    write_note(moved, "error", error.korean, error.english, error.advice)
    return True


def write_note(moved: Path, kind: str, korean: str, english: str, advice: str) -> Path:
    """Write '<name>.<kind>.txt' beside a moved file in plain Korean and English."""
    stamp = datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")
    heading = {"error": "처리 실패", "duplicate": "중복 파일"}[kind]
    text = (
        f"[{heading}] {moved.name}\n시각: {stamp}\n이유: {korean}\n"
        + (f"할 일: {advice}\n" if advice else "")
        + f"\n[{'Failed' if kind == 'error' else 'Duplicate'}] {moved.name}\n"
        f"Time: {stamp}\nReason: {english}\n"
    )
    note = moved.with_name(f"{moved.name}.{kind}.txt")
    note.write_text(text, encoding="utf-8")
    return note


def retire_manifests(
    settings: Settings, root: Path, metadata: MetadataSource, touched: set[Path]
) -> None:
    """Move each sheet out once a batch touched its folder and no file it lists remains."""
    for folder, _dirs, files in os.walk(root):
        path = Path(folder)
        sheet = next((path / f for f in files if f.lower() == MANIFEST_NAME), None)
        if sheet is None or path not in touched:
            continue
        remaining = {nfc(f).lower() for f in os.listdir(path)}
        remaining |= {Path(f).stem for f in remaining}
        listed = metadata.listed_files(sheet)
        if any(name in remaining for name in listed):
            continue
        target = "done" if listed else "failed"
        moved = move_out(sheet, root, settings.scans_dir / target)
        if not listed:
            write_note(
                moved,
                "error",
                "목록 시트를 읽을 수 없거나 비어 있습니다.",
                "the sheet cannot be read or lists no files",
                "시트를 고쳐 다시 넣어 주세요.",
            )
