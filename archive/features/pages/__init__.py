"""Plain public pages (privacy notice)."""
