"""Visitors' voices about a published photo: memories, suggestions and requests.

A voice is received whole or refused with a code (the web says why in Korean); it is
never published as it comes: a moderator decides. The sender gets a receipt number and
a private status link; name and contact are personal data that only staff see.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from archive.contacts import is_contact, is_email
from archive.dates import parse_date
from archive.errors import InvalidChange, NotFound
from archive.fields import BY_NAME, SUGGESTABLE
from archive.links import find_links, without_links
from archive.models import Photo, Submission
from archive.places.gazetteer import Gazetteer
from archive.records.events import record_event
from archive.records.receipts import hash_token, new_receipt, new_token, plausible_token
from archive.statuses import (
    RecordStatus,
    RequestReason,
    SubmissionKind,
    SubmissionState,
)
from archive.text import clean_text, nfc

ACTOR = "visitor"
MAX_BODY = {SubmissionKind.MEMORY: 3000, SubmissionKind.REQUEST: 3000}
MAX_RELATION, MAX_SOURCE, MAX_NAME, MAX_CONTACT = 100, 200, 100, 200
MAX_LINKS = 3
PUBLIC_REASONS = tuple(r for r in RequestReason if r != RequestReason.CONSENT)
_WORDY = re.compile(r"[0-9A-Za-z가-힣一-鿿]")


@dataclass(frozen=True)
class Voice:
    """What a visitor wrote: the text, and what it is about."""

    kind: SubmissionKind
    body: str
    field: str = ""  # the suggested field
    relation: str = ""  # how a memory's writer relates to the photo
    source_note: str = ""  # where a suggestion comes from
    reason: str = ""  # why a request is made


@dataclass(frozen=True)
class Sender:
    """Who sent it: a name (shown on a memory only if they chose), and how to reach them."""

    name: str = ""
    show_name: bool = False
    contact: str = ""
    notify: bool = False  # agreed to be told by e-mail when the status changes


def receive(
    session: Session, public_id: str, voice: Voice, sender: Sender, gazetteer: Gazetteer
) -> tuple[Submission, str]:
    """Record a voice about a published photo; return it with its status-link secret.

    :raises NotFound: when the photo is not published (drafts look like missing).
    :raises InvalidChange: empty_text, too_long, links_only, unknown_field,
        invalid_value, contact_required or duplicate.
    """
    photo = session.scalars(
        select(Photo).where(Photo.public_id == public_id, Photo.status == RecordStatus.PUBLISHED)
    ).first()
    if photo is None:
        raise NotFound(f"no published photo {public_id!r}")
    return _record(session, photo, _checked(voice, sender), sender, gazetteer)


def withdraw_consent(session: Session, photo: Photo, details: str) -> tuple[Submission, str]:
    """Ask, from a contribution's status link, that one of its photos be erased."""
    contribution = photo.contribution
    if contribution is None or photo.status == RecordStatus.ERASED:
        raise NotFound("not a photo of this contribution")
    voice = Voice(
        SubmissionKind.REQUEST,
        clean_text(details, MAX_BODY[SubmissionKind.REQUEST], multiline=True),
        reason=RequestReason.CONSENT,
    )
    sender = Sender(name=contribution.name, contact=contribution.contact)
    submission, token = _record(session, photo, voice, sender, None)
    submission.contribution_id = contribution.id
    return submission, token


def _checked(voice: Voice, sender: Sender) -> Voice:
    """Return the voice cleaned, or refuse it with the rule it breaks."""
    multiline = voice.kind != SubmissionKind.SUGGESTION or _multiline(voice.field)
    body = clean_text(voice.body, multiline=multiline)
    if voice.kind == SubmissionKind.SUGGESTION and voice.field not in SUGGESTABLE:
        raise InvalidChange("unknown_field", f"visitors cannot suggest {voice.field!r}")
    if voice.kind == SubmissionKind.REQUEST and voice.reason not in PUBLIC_REASONS:
        raise InvalidChange("invalid_value", f"unknown request reason {voice.reason!r}")
    if voice.kind == SubmissionKind.REQUEST and not sender.contact.strip():
        raise InvalidChange("contact_required", "a request needs a way to answer")
    if sender.contact.strip() and not is_contact(sender.contact):
        raise InvalidChange("invalid_contact", "the contact is neither an e-mail nor a phone")
    if not body and (voice.kind != SubmissionKind.REQUEST or voice.reason == RequestReason.OTHER):
        raise InvalidChange("empty_text", "nothing was written")
    limit = MAX_BODY.get(voice.kind) or BY_NAME[voice.field].max_length
    if len(body) > limit:
        raise InvalidChange(
            "too_long", f"{len(body)} characters, at most {limit}", f"최대 {limit:,}자"
        )
    links = find_links(body)
    if links and (len(links) > MAX_LINKS or not _WORDY.search(without_links(body))):
        raise InvalidChange("links_only", "a memory made of links")
    return Voice(
        voice.kind,
        body,
        field=voice.field if voice.kind == SubmissionKind.SUGGESTION else "",
        relation=clean_text(voice.relation, MAX_RELATION),
        source_note=clean_text(voice.source_note, MAX_SOURCE),
        reason=voice.reason if voice.kind == SubmissionKind.REQUEST else "",
    )


def _multiline(field: str) -> bool:
    spec = BY_NAME.get(field)
    return bool(spec and spec.multiline)


def _record(
    session: Session, photo: Photo, voice: Voice, sender: Sender, gazetteer: Gazetteer | None
) -> tuple[Submission, str]:
    content_hash = _content_hash(photo, voice)
    open_or_shown = (SubmissionState.PENDING, SubmissionState.HELD, SubmissionState.APPROVED)
    twin = session.scalar(
        select(Submission.id).where(
            Submission.content_hash == content_hash, Submission.state.in_(open_or_shown)
        )
    )
    if twin is not None:
        raise InvalidChange("duplicate", "the same text was already received")
    token, token_hash = new_token()
    contact = clean_text(sender.contact, MAX_CONTACT)
    submission = Submission(
        kind=voice.kind,
        state=SubmissionState.PENDING,
        receipt=new_receipt(datetime.now(UTC)),
        token_hash=token_hash,
        photo=photo,
        body=voice.body,
        field=voice.field,
        relation=voice.relation,
        source_note=voice.source_note,
        reason=voice.reason,
        name=clean_text(sender.name, MAX_NAME),
        show_name=sender.show_name,
        contact=contact,
        notify=sender.notify and is_email(contact),
        content_hash=content_hash,
        flags=_flags(voice, gazetteer),
    )
    session.add(submission)
    session.flush()
    record_event(
        session, f"{voice.kind}-received", actor=ACTOR, photo=photo, message=submission.receipt
    )
    return submission, token


def _content_hash(photo: Photo, voice: Voice) -> str:
    text = " ".join(nfc(voice.body).lower().split())
    key = f"{voice.kind}|{photo.id}|{voice.field}|{voice.reason}|{text}"
    return hashlib.sha256(key.encode()).hexdigest()


def _flags(voice: Voice, gazetteer: Gazetteer | None) -> list[str]:
    """Return notes for the moderator: a date or place the archive cannot read."""
    if voice.kind != SubmissionKind.SUGGESTION:
        return []
    if voice.field == "date" and not parse_date(voice.body).ok:
        return ["date_unreadable"]
    if voice.field == "place" and gazetteer is not None and not gazetteer.find_in(voice.body):
        return ["place_unknown"]
    return []


def find_by_token(session: Session, token: str) -> Submission | None:
    """Return the voice a status-link secret belongs to, or None."""
    if not plausible_token(token):
        return None
    return session.scalars(
        select(Submission).where(Submission.token_hash == hash_token(token))
    ).first()
