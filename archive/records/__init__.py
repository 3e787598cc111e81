"""The record's life, shared by ingest, operations and every feature: storing originals and
renditions, publication of public copies, events (the audit trail), claims, sweeping, erasure,
the public view of records (`public.py`, `images.py`, `downloads.py`), contributions' records,
notices to senders and staff, and receipts.
"""
