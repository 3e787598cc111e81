"""PostgreSQL's text-search values built from terms the Korean analyser already made.

The terms go in as quoted lexemes, never through a text-search configuration: PostgreSQL
stores and matches exactly the analysed terms the Whoosh backend indexes. A field's
weight is a tsvector weight letter (the heaviest field A), and a term's frequency in a
field is the number of its positions carrying that letter, which BM25 reads back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from archive.search.documents import TEXT_FIELDS
from archive.search.variants import Clause

# Field weight letters, heaviest first (TEXT_FIELDS is ordered by weight).
LETTERS: dict[str, str] = dict(zip(TEXT_FIELDS, "ABCD", strict=False))
# PostgreSQL keeps at most 256 positions of a lexeme, numbered up to 16,383, and refuses
# lexemes of 2 KiB or more.
MAX_POSITIONS = 256
MAX_LEXEME_BYTES = 2046


def lexeme(term: str) -> str:
    """Return a term as a quoted tsvector or tsquery lexeme."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


def usable(term: str) -> bool:
    """Return whether PostgreSQL can hold a term as a lexeme."""
    return bool(term) and len(term.encode("utf-8")) < MAX_LEXEME_BYTES


def vector(texts: Mapping[str, list[str]]) -> str:
    """Return the tsvector literal of a document's analysed text fields."""
    letters: dict[str, list[str]] = {}
    for field, terms in texts.items():
        letter = LETTERS[field]
        for term, count in Counter(t for t in terms if usable(t)).items():
            letters.setdefault(term, []).extend(letter * count)
    entries = []
    for term, weights in letters.items():
        positions = ",".join(f"{i}{w}" for i, w in enumerate(weights[:MAX_POSITIONS], 1))
        entries.append(f"{lexeme(term)}:{positions}")
    return " ".join(entries)


def every(terms: Iterable[str]) -> str:
    """Return the tsquery of records holding every term ('' when there is none)."""
    quoted = [lexeme(t) for t in dict.fromkeys(terms) if usable(t)]
    return " & ".join(quoted)


def clause_query(clause: Clause) -> str:
    """Return the tsquery of a clause: its own terms, or all terms of one variant."""
    alternatives = [every(terms) for terms in clause.alternatives]
    return " | ".join(f"( {a} )" for a in alternatives if a) or lexeme("\x01")


def all_of(queries: Iterable[str]) -> str:
    """Return the tsquery of records matching every one of the queries."""
    return " & ".join(f"( {q} )" for q in queries)


def any_of(queries: Iterable[str]) -> str:
    """Return the tsquery of records matching any of the queries."""
    return " | ".join(f"( {q} )" for q in queries)


def frequencies(weights: str) -> list[int]:
    """Return a term's frequency in each text field from its positions' weight letters."""
    return [weights.count(letter) for letter in LETTERS.values()]
