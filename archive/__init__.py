"""Naju old photo archive: preserve scans, describe them, publish them."""

from __future__ import annotations

__version__ = "0.1.0"
