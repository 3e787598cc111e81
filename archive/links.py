"""Find links in what visitors write, however they are disguised, to refuse link spam.

A link is counted in the forms spammers use to slip past a plain "http://" check: any
width of letters (full-width ｈｔｔｐ, read through NFKC), defanged schemes (hxxp://,
h**ps://, http[:]//), "www." names, and bare domain names (spam.example/a, shop.xyz)
with a path or a common top-level domain. Text about Naju in Korean has none of these.
"""

from __future__ import annotations

import re
import unicodedata

# A scheme, plainly written or defanged: http, hxxp, h**p, h t t p, ...
_SCHEME = r"h\s*[tx*]\s*[tx*]\s*p\s*s?\s*(?:://|\[:\]//|:\s*/\s*/|\[://\])"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
# Top-level domains seen in spam and in real links; a bare name with any other ending
# ("mr.kim") counts only when a path follows it.
_COMMON_TLDS = (
    "com|net|org|info|biz|kr|co|io|me|xyz|top|site|online|shop|store|club|app|dev|ru|cn|"
    "jp|us|uk|de|tk|ml|ga|cf|gq|ly|to|cc|tv|ws|link|click|live|example"
)
_LINK = re.compile(
    rf"{_SCHEME}\S+"
    r"|\bwww\s*(?:\.|\[\.\]|\(dot\))\s*\S+"
    rf"|(?<![\w@.])(?:{_LABEL}(?:\.|\[\.\]))+(?:{_COMMON_TLDS})(?![a-z0-9-])(?:[/:?#]\S*)?"
    rf"|(?<![\w@.])(?:{_LABEL}\.)+[a-z]{{2,24}}/\S*",
    re.IGNORECASE,
)


def normalised(text: str) -> str:
    """Return text as links are looked for in it: NFKC (full-width letters made plain)."""
    return unicodedata.normalize("NFKC", text)


def find_links(text: str) -> list[str]:
    """Return every link in text, as written after NFKC normalisation."""
    return _LINK.findall(normalised(text))


def without_links(text: str) -> str:
    """Return text with its links taken out (what is left to read)."""
    return _LINK.sub(" ", normalised(text))
