"""Services own every change to records: they flush, log events and leave commits to callers."""
