"""A self-contained copy of the public corner for USB sticks and discs (file://, no network)."""
