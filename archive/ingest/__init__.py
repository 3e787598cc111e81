"""Scan ingest: a pure pipeline (analyse, store, record) and a thin worker loop."""
