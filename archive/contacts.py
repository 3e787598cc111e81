"""Is a contact an e-mail address or a phone number? (For forms and the services alike.)

A contact is personal data kept only to reach someone about what they sent, so it must be
one of the two ways to reach them, written so that staff can use it: an address that
email-validator accepts (syntax only: no lookup), or a number that libphonenumber finds
valid, read as Korean when it has no country code (010-1234-5678, 061-330-8114,
+81 90-1234-5678 for 출향향우 abroad).
"""

from __future__ import annotations

import re

import phonenumbers
from email_validator import EmailNotValidError, validate_email

# What a phone number may be written with: digits, spaces, dashes, dots, brackets, a plus.
_PHONE_CHARACTERS = re.compile(r"\+?[\d\s().\-]{7,30}")
DEFAULT_REGION = "KR"


def is_email(contact: str) -> bool:
    """Return whether a contact is an e-mail address (notices go only to those)."""
    text = contact.strip()
    if not text or len(text) > 254:
        return False
    try:
        validate_email(text, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


def is_phone(contact: str) -> bool:
    """Return whether a contact is a valid phone number (Korean unless it says +country)."""
    text = contact.strip()
    if not _PHONE_CHARACTERS.fullmatch(text):
        return False
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return False
    return bool(phonenumbers.is_valid_number(number))


def is_contact(contact: str) -> bool:
    """Return whether a contact is an e-mail address or a phone number."""
    return is_email(contact) or is_phone(contact)
