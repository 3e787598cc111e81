"""Decoding untrusted images in isolated processes: shared by scan ingest and uploads."""
