"""Reading an OAI-PMH request: verbs and their arguments, datestamps, resumption tokens.

Every fault becomes an OAIError with the protocol's code, so a harvester's bad request
gets an OAI-PMH error answer (never a 500) whatever it sends.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from itsdangerous import BadData, URLSafeTimedSerializer

from archive.features.oai.repository import Cursor, Selection, as_utc

METADATA_PREFIX = "oai_dc"
# verb: (required arguments, optional arguments); resumptionToken is exclusive.
VERBS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Identify": (frozenset(), frozenset()),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"})),
    "ListSets": (frozenset(), frozenset({"resumptionToken"})),
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset()),
    "ListIdentifiers": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
    "ListRecords": (
        frozenset({"metadataPrefix"}),
        frozenset({"from", "until", "set", "resumptionToken"}),
    ),
}
MAX_VALUE = 2000
# Characters XML cannot carry (and PostgreSQL cannot compare): never in a good argument.
UNWRITABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# The forms the OAI-PMH schema gives these arguments; anything else is a badArgument.
SPEC_PART = r"[A-Za-z0-9\-_.!~*'()]+"
FORMS = {
    "metadataPrefix": re.compile(SPEC_PART),
    "set": re.compile(rf"{SPEC_PART}(?::{SPEC_PART})*"),
}
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
SECOND = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


class OAIError(Exception):
    """A request the protocol answers with an error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ListState:
    """Where a list harvest stands: what it selects and how far it got."""

    selection: Selection
    after: Cursor | None
    cursor: int  # records already sent
    total: int | None  # completeListSize, counted once at the first page


def read_arguments(values: Mapping[str, list[str]]) -> tuple[str, dict[str, str]]:
    """Return the verb and its arguments, checked against the verb's list.

    :raises OAIError: badVerb or badArgument.
    """
    verbs = values.get("verb", [])
    if len(verbs) != 1 or verbs[0] not in VERBS:
        shown = UNWRITABLE.sub("?", verbs[0][:60]) if len(verbs) == 1 else "several or none"
        raise OAIError("badVerb", f"Illegal or missing verb ({shown}).")
    verb = verbs[0]
    required, optional = VERBS[verb]
    arguments: dict[str, str] = {}
    for name, given in values.items():
        if name == "verb":
            continue
        if name not in required | optional:
            shown = UNWRITABLE.sub("?", name[:60])
            raise OAIError("badArgument", f"{verb} takes no argument {shown}.")
        if len(given) != 1:
            raise OAIError("badArgument", f"The argument {name} is given more than once.")
        if not given[0] or len(given[0]) > MAX_VALUE or UNWRITABLE.search(given[0]):
            raise OAIError(
                "badArgument",
                f"The argument {name} is empty, too long or holds control characters.",
            )
        form = FORMS.get(name)
        if form is not None and not form.fullmatch(given[0]):
            raise OAIError(
                "badArgument", f"The argument {name} is not of the form OAI-PMH gives it."
            )
        if name in ("from", "until"):
            parse_datestamp(given[0], end=False)
        arguments[name] = given[0]
    if "resumptionToken" in arguments:
        if len(arguments) > 1:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument.")
    elif missing := sorted(required - arguments.keys()):
        raise OAIError("badArgument", f"{verb} needs {', '.join(missing)}.")
    return verb, arguments


def parse_datestamp(text: str, end: bool) -> tuple[datetime, str]:
    """Return a from/until argument as a UTC bound and its granularity; an until bound
    is exclusive (the next day or second).

    :raises OAIError: badArgument for another form or an impossible date.
    """
    try:
        if DAY.fullmatch(text):
            value = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return (_after(value, timedelta(days=1)) if end else value), "day"
        if SECOND.fullmatch(text):
            value = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            return (_after(value, timedelta(seconds=1)) if end else value), "second"
    except ValueError:
        pass
    raise OAIError(
        "badArgument",
        f"Bad datestamp {text[:40]!r}: use YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.",
    )


def _after(value: datetime, step: timedelta) -> datetime:
    """Return value + step, or the last moment a datetime holds past 9999-12-31 (an until
    bound there means "no end", which the selection turns into "until now")."""
    try:
        return value + step
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def selection_of(arguments: Mapping[str, str], now: datetime) -> Selection:
    """Return what a first list request selects: from, until (at most now) and set."""
    since = before = None
    grains = set()
    if "from" in arguments:
        since, grain = parse_datestamp(arguments["from"], end=False)
        grains.add(grain)
    if "until" in arguments:
        before, grain = parse_datestamp(arguments["until"], end=True)
        grains.add(grain)
    if len(grains) > 1:
        raise OAIError("badArgument", "from and until must have the same granularity.")
    if since is not None and before is not None and since >= before:
        raise OAIError("badArgument", "from is later than until.")
    # Records changed after the first request belong to the next harvest, not this one.
    return Selection(since, min(before, now) if before else now, arguments.get("set"))


class Tokens:
    """Signed, expiring resumption tokens that carry a list's state (no server storage)."""

    def __init__(self, secret: str | bytes, hours: int) -> None:
        self._serializer = URLSafeTimedSerializer(secret, salt="oai-pmh-resumption")
        self.lifetime = timedelta(hours=max(hours, 1))

    def issue(self, state: ListState) -> str:
        """Return the token that continues a list after state.after."""
        assert state.after is not None
        selection = state.selection
        payload: dict[str, Any] = {
            "f": selection.since.isoformat() if selection.since else None,
            "b": selection.before.isoformat(),
            "s": selection.set_spec,
            "d": as_utc(state.after.datestamp).isoformat(),
            "i": state.after.id,
            "n": state.cursor,
            "t": state.total,
        }
        return self._serializer.dumps(payload)

    def read(self, token: str) -> ListState:
        """Return the state a token carries.

        :raises OAIError: badResumptionToken for a token not issued here, or expired.
        """
        try:
            data = self._serializer.loads(token, max_age=int(self.lifetime.total_seconds()))
            since = datetime.fromisoformat(data["f"]) if data["f"] else None
            selection = Selection(since, datetime.fromisoformat(data["b"]), data["s"])
            after = Cursor(datetime.fromisoformat(data["d"]), int(data["i"]))
            return ListState(selection, after, int(data["n"]), data["t"])
        except (BadData, KeyError, TypeError, ValueError) as exc:
            raise OAIError(
                "badResumptionToken", "The resumption token is invalid or has expired."
            ) from exc
