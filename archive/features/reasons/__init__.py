"""Canned reasons: the wording moderators pick when they refuse or withdraw, kept by admins."""
